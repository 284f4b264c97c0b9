import Hummingbird
import StrataCatalog

/// `GET /api/v1/events`: the event timeline, newest first, filtered by resource, kind and time.
struct EventRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("events", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            var query = EventQuery()
            query.resourceID = request.uri.queryParameters["resource"].map(String.init)
            query.kind = request.uri.queryParameters["kind"].map(String.init)
            query.sinceMs = try ResourceRoutes.milliseconds(request, "since")
            query.limit = try ResourceRoutes.limit(request, default: query.limit)
            let events = try await catalog.events(tenantID: tenant, query: query)
            return Envelope.success(.array(events.map { event in
                [
                    "id": .int(event.id), "resourceId": .optional(event.resourceID), "timeMs": .int(event.timeMs),
                    "kind": .string(event.kind), "severity": .string(event.severity), "message": .string(event.message),
                ]
            }))
        }
    }
}
