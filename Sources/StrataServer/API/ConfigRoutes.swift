import Hummingbird
import StrataAPI
import StrataWire
import StrataCatalog

/// A resource's tracked configuration files, their versions and diffs:
/// `GET /api/v1/resources/{id}/configs` (every file at its latest version),
/// `…/configs/versions?path=P` (newest first), `…/configs/content?path=P[&version=N]` (the redacted text),
/// `…/configs/diff?path=P[&from=N][&to=M]` (unified diff; `to` defaults to the latest, `from` to the one before).
struct ConfigRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("resources/:id/configs", .permission(.read)) { request, context in
            let (tenant, id) = try await resource(request, context)
            return try Envelope.success(try await catalog.configFiles(tenantID: tenant, resourceID: id).map { API.ConfigVersion($0) })
        }
        group.get("resources/:id/configs/versions", .permission(.read)) { request, context in
            let (tenant, id) = try await resource(request, context)
            let path = try Self.path(request)
            let versions = try await catalog.configVersions(tenantID: tenant, resourceID: id, path: path)
            guard !versions.isEmpty else { throw APIError.notFound("\(path) is not tracked for resource \(id)") }
            return try Envelope.success(versions.map { API.ConfigVersion($0) })
        }
        group.get("resources/:id/configs/content", .permission(.read)) { request, context in
            let (tenant, id) = try await resource(request, context)
            let path = try Self.path(request)
            let version = try QueryString(request).id("version", meaning: "a version number")
            guard let record = try await catalog.configVersion(tenantID: tenant, resourceID: id, path: path, version: version) else {
                throw APIError.notFound("\(path) has no version \(version.map(String.init) ?? "") for resource \(id)")
            }
            return try Envelope.success(API.ConfigVersion(record, content: record.content ?? ""))
        }
        group.get("resources/:id/configs/diff", .permission(.read)) { request, context in
            let (tenant, id) = try await resource(request, context)
            let path = try Self.path(request)
            guard let to = try await catalog.configVersion(tenantID: tenant, resourceID: id, path: path,
                                                           version: try QueryString(request).id("to", meaning: "a version number")) else {
                throw APIError.notFound("\(path) has no such version for resource \(id)")
            }
            let fromVersion = try QueryString(request).id("from", meaning: "a version number") ?? (to.version - 1)
            let from = fromVersion >= 1 ? try await catalog.configVersion(tenantID: tenant, resourceID: id, path: path, version: fromVersion) : nil
            guard fromVersion < 1 || from != nil else { throw APIError.notFound("\(path) has no version \(fromVersion) for resource \(id)") }
            let diff = ConfigVersionRecord.diff(path: path, old: from?.text ?? "", oldVersion: max(0, fromVersion), new: to.text, newVersion: to.version)
            return try Envelope.success(API.ConfigDiff(path: path, from: max(0, fromVersion), to: to.version, diff: diff))
        }
    }

    /// The tenant and the resource id of the path, 404 when the resource is not the caller's tenant's.
    private func resource(_ request: Request, _ context: StrataRequestContext) async throws -> (String, String) {
        let tenant = try context.requirePrincipal().tenantID
        let id = try context.parameters.require("id")
        guard try await catalog.resource(tenantID: tenant, id: id) != nil else { throw APIError.notFound("no resource \(id) in this tenant") }
        return (tenant, id)
    }

    private static func path(_ request: Request) throws -> String {
        guard let path = QueryString(request)["path"], path.hasPrefix("/") else {
            throw APIError.badData("path must name the file (absolute), e.g. path=/etc/nginx/nginx.conf")
        }
        return path
    }
}
