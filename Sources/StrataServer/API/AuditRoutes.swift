import Hummingbird
import StrataAPI
import StrataWire
import StrataCatalog

/// `GET /api/v1/audit`: the tenant's audit log, newest first; filters `action` (a trailing `.` matches a
/// prefix, e.g. `token.`), `actor`, `since` (Unix ms), `before` (an id, for paging) and `limit`.
struct AuditRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("audit", .permission(.administer)) { request, context in
            let principal = try context.requirePrincipal()
            var query = AuditQuery()
            let parameters = QueryString(request)
            query.action = parameters["action"]
            query.actor = parameters["actor"]
            query.sinceMs = try parameters.time("since")
            query.beforeID = try parameters.id("before", meaning: "an audit record id")
            query.limit = try parameters.limit(default: query.limit)
            let records = try await catalog.audit(tenantID: principal.tenantID, query: query)
            return try Envelope.success(records.map(API.AuditRecord.init))
        }
    }
}
