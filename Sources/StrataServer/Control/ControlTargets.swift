import StrataAPI
import StrataCatalog
import StrataCore

/// The resources a group action or schedule acts on (`API.ControlTarget`), resolved against the catalog at the time
/// it runs: a group's present members, the present resources of a selector — removed resources never.
struct ControlTargets {
    static let maxTargets = 10_000
    let catalog: any Catalog

    /// Checks a target's shape: exactly one of `resource`, `group`, or a selector with `kind`.
    static func validate(_ target: API.ControlTarget) throws {
        if target.resource != nil {
            guard target.group == nil, target.kind == nil, target.serverType == nil, target.name == nil, target.under == nil else {
                throw APIError.badData("target: resource names one resource; it takes no group, kind, serverType, name or under")
            }
            return
        }
        if let kind = target.kind, ResourceKind(rawValue: kind) == nil {
            throw APIError.badData("target.kind: unknown kind \"\(kind)\"; use one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard target.group != nil || target.kind != nil else {
            throw APIError.badData("target needs a resource, a group, or a kind (with serverType, name or under to narrow it)")
        }
        if target.serverType != nil && target.kind != ResourceKind.server.rawValue {
            throw APIError.badData("target.serverType needs kind server")
        }
    }

    /// Checks that what the target names — its resource, group, `under` ancestor — is in the tenant (a schedule's, when
    /// it is saved): 404 otherwise, another tenant's exactly like one that does not exist.
    func checkNamed(_ target: API.ControlTarget, tenantID: String) async throws {
        _ = try await named(target, tenantID: tenantID)
    }

    /// The target's resource and its group's members, once everything it names is found in the tenant.
    private func named(_ target: API.ControlTarget, tenantID: String) async throws -> (resource: ResourceRecord?, members: Set<String>?) {
        try Self.validate(target)
        var found: (resource: ResourceRecord?, members: Set<String>?) = (nil, nil)
        for id in [target.resource, target.under].compactMap({ $0 }) {
            guard let resource = try await catalog.resource(tenantID: tenantID, id: id), resource.removedMs == nil else {
                throw APIError.notFound("no resource \(id) in this tenant")
            }
            if id == target.resource { found.resource = resource }
        }
        if let group = target.group {
            guard let members = try await catalog.groupMembers(tenantID: tenantID, groupID: group) else {
                throw APIError.notFound("no group \(group) in this tenant")
            }
            found.members = Set(members)
        }
        return found
    }

    /// The target's resources, in a stable order (by name, then id).
    func resolve(_ target: API.ControlTarget, tenantID: String) async throws -> [ResourceRecord] {
        let (resource, members) = try await named(target, tenantID: tenantID)
        if let resource { return [resource] }
        var candidates: [ResourceRecord]
        if let kind = target.kind.flatMap(ResourceKind.init(rawValue:)) {
            candidates = try await catalog.resources(tenantID: tenantID, query: ResourceQuery(kind: kind, text: target.name, limit: Self.maxTargets + 1))
        } else {
            candidates = []
            for id in (members ?? []).sorted() {
                if let resource = try await catalog.resource(tenantID: tenantID, id: id) { candidates.append(resource) }
            }
        }
        var ancestry = Ancestry(catalog: catalog, tenantID: tenantID)
        var chosen: [ResourceRecord] = []
        for resource in candidates where resource.removedMs == nil {
            if let type = target.serverType, (try? PropertyValue(json: resource.propertiesJSON))?["type"]?.stringValue != type { continue }
            if let name = target.name, !resource.name.localizedLowercase.contains(name.localizedLowercase) { continue }
            if let under = target.under, !(try await ancestry.lineage(of: resource).contains(under)) { continue }
            if let members, target.kind != nil, try await ancestry.lineage(of: resource).isDisjoint(with: members) { continue }
            chosen.append(resource)
        }
        guard chosen.count <= Self.maxTargets else {
            throw APIError.badData("the target matches more than \(Self.maxTargets) resources; narrow it")
        }
        return chosen.sorted { ($0.name, $0.id) < ($1.name, $1.id) }
    }
}

/// A resource's id and its ancestors' ids, with the parents read once each.
private struct Ancestry {
    let catalog: any Catalog
    let tenantID: String
    var parents: [String: String?] = [:]

    init(catalog: any Catalog, tenantID: String) {
        self.catalog = catalog
        self.tenantID = tenantID
    }

    mutating func lineage(of resource: ResourceRecord) async throws -> Set<String> {
        var ids: Set<String> = [resource.id]
        var next = resource.parentID
        while let id = next, ids.insert(id).inserted, ids.count < 32 {
            if let known = parents[id] {
                next = known
            } else {
                let parent = try await catalog.resource(tenantID: tenantID, id: id)?.parentID
                parents[id] = parent
                next = parent
            }
        }
        return ids
    }
}
