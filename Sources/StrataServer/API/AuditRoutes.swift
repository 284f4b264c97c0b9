import Hummingbird
import StrataCatalog

/// `GET /api/v1/audit`: the tenant's audit log, newest first; filters `action` (a trailing `.` matches a
/// prefix, e.g. `token.`), `actor`, `since` (Unix ms), `before` (an id, for paging) and `limit`.
struct AuditRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("audit", .permission(.administer)) { request, context in
            let principal = try context.requirePrincipal()
            var query = AuditQuery()
            query.action = request.uri.queryParameters["action"].map(String.init)
            query.actor = request.uri.queryParameters["actor"].map(String.init)
            query.sinceMs = try ResourceRoutes.milliseconds(request, "since")
            query.beforeID = try ResourceRoutes.integer(request, "before", meaning: "an audit record id")
            query.limit = try ResourceRoutes.limit(request, default: query.limit)
            let records = try await catalog.audit(tenantID: principal.tenantID, query: query)
            return Envelope.success(.array(records.map { record in
                [
                    "id": .int(record.id), "timeMs": .int(record.timeMs), "actor": .string(record.actor), "action": .string(record.action),
                    "target": .string(record.target), "outcome": .string(record.outcome), "detail": .string(record.detail),
                    "remote": .string(record.remote),
                ]
            }))
        }
    }
}
