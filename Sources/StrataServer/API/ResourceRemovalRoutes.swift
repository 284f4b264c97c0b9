import Hummingbird
import StrataAPI
import StrataCatalog
import StrataCore
import StrataWire

/// `DELETE /api/v1/resources/{id}[?history=keep|purge]`: removes a resource and everything below it (permission
/// `manage`, audited). `keep` (the default) hides them from lists and keeps their history reachable by id; an
/// agent that reports one again brings it back. `purge` deletes their rows, events and configuration history;
/// their samples age out with the retention.
struct ResourceRemovalRoutes {
    let catalog: any Catalog
    let events: EventSink
    let audit: AuditTrail

    func register(on group: SecuredGroup) {
        group.delete("resources/:id", .permission(.manage)) { request, context in try await remove(request, context) }
    }

    func remove(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = context.parameters.get("id") ?? ""
        let history = QueryString(request)["history"] ?? "keep"
        guard history == "keep" || history == "purge" else { throw APIError.badData("history must be keep or purge, not \"\(history)\"") }
        let now = Time.nowMs()
        guard let removal = try await catalog.removeResource(tenantID: principal.tenantID, id: id, purge: history == "purge",
                                                             by: principal.auditActor, nowMs: now) else {
            throw APIError.notFound("no resource \(id)")
        }
        events.emit(removal.events)
        await audit.record(principal, "resource.remove", target: "resource:\(id)",
                           detail: "history \(history == "purge" ? "purged" : "kept"); \(removal.ids.count) resources: \(removal.ids.prefix(20).joined(separator: ","))",
                           remote: context.remoteAddress, nowMs: now)
        return try Envelope.success(API.Removal(removed: removal.ids, history: removal.purged ? "purged" : "kept"))
    }
}
