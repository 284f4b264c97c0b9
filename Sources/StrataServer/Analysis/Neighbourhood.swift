import StrataCatalog
import StrataCore

/// The resources around a symptom's resource that may hold its cause, each with its distance (hops) and how it
/// relates to the symptom's resource: its ancestors up to the host, what runs beneath it (three levels), the VMs
/// that shared its host during the window (from the placement history; the VMs only, not what runs in them), and the resources
/// it or its ancestors depend on. Read from the catalog; at most `limit` resources.
struct Neighbourhood {
    /// One resource found.
    struct Member: Sendable {
        var resource: ResourceRecord
        var distance: Int
        var relation: String
        /// Above or beneath the symptom's resource, or something it depends on: its causal path.
        var onPath = true
        /// A hypervisor or the host above one: its series sum its VMs'.
        var aggregate = false
    }

    let catalog: any Catalog
    var limit = 300

    func members(tenant: String, around symptom: ResourceRecord, from: Int64, to: Int64) async throws -> [Member] {
        var found: [String: Member] = [symptom.id: Member(resource: symptom, distance: 0, relation: "the same resource")]
        var order = [symptom.id]
        func add(_ resource: ResourceRecord, _ distance: Int, _ relation: String, onPath: Bool = true) {
            guard found.count < limit, resource.removedMs == nil || (resource.removedMs ?? 0) >= from else { return }
            if let known = found[resource.id], known.distance <= distance { return }
            if found[resource.id] == nil { order.append(resource.id) }
            found[resource.id] = Member(resource: resource, distance: distance, relation: relation, onPath: onPath)
        }
        // Up to the top.
        var ancestors: [(ResourceRecord, Int)] = []
        var current = symptom
        var hops = 0
        while let parentID = current.parentID, hops < 8, let parent = try await catalog.resource(tenantID: tenant, id: parentID) {
            hops += 1
            ancestors.append((parent, hops))
            add(parent, hops, "its \(parent.kind.rawValue) \(parent.name)")
            if parent.kind == .hypervisor || ancestors.dropLast().contains(where: { $0.0.kind == .hypervisor }) { found[parent.id]?.aggregate = true }
            current = parent
        }
        // Down three levels.
        try await descend(tenant, from: symptom, depth: 3, distance: 0, relation: { "a \($0.kind.rawValue) under \(symptom.name)" }) { add($0, $1, $2) }
        // VMs that shared the host in the window.
        if let (vm, vmDistance) = ([(symptom, 0)] + ancestors).first(where: { $0.0.kind == .vm }) {
            let homes = try await catalog.placements(tenantID: tenant, vmID: vm.id, hypervisorID: nil, atMs: nil)
                .filter { $0.fromMs <= to && ($0.toMs ?? .max) >= from }
            for hypervisor in Set(homes.map(\.hypervisorID)) {
                let neighbours = try await catalog.placements(tenantID: tenant, vmID: nil, hypervisorID: hypervisor, atMs: nil)
                    .filter { $0.vmID != vm.id && $0.fromMs <= to && ($0.toMs ?? .max) >= from }
                for placement in neighbours {
                    guard let other = try await catalog.resource(tenantID: tenant, id: placement.vmID) else { continue }
                    // Only the VM itself: what it takes from the shared host is in its own series; what runs inside
                    // it (a service's errors) cannot reach another VM except through them.
                    add(other, vmDistance + 2, "a VM on the same host", onPath: false)
                }
            }
        }
        // What it and its ancestors depend on.
        for (resource, distance) in [(symptom, 0)] + ancestors {
            for relation in try await catalog.relations(tenantID: tenant, resourceID: resource.id)
            where relation.kind == .dependsOn && relation.sourceID == resource.id {
                guard let target = try await catalog.resource(tenantID: tenant, id: relation.targetID) else { continue }
                add(target, distance + 1, "\(resource.name) depends on it")
            }
        }
        return order.compactMap { found[$0] }
    }

    private func descend(_ tenant: String, from resource: ResourceRecord, depth: Int, distance: Int,
                         relation: (ResourceRecord) -> String, _ add: (ResourceRecord, Int, String) -> Void) async throws {
        var level = [resource]
        for step in 1...max(1, depth) where !level.isEmpty {
            var next: [ResourceRecord] = []
            for parent in level {
                for child in try await catalog.resources(tenantID: tenant, query: ResourceQuery(parentID: parent.id, limit: 200)) {
                    add(child, distance + step, relation(child))
                    next.append(child)
                }
            }
            level = next
        }
    }
}
