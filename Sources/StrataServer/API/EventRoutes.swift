import Hummingbird
import StrataCatalog

/// `GET /api/v1/events`: the event timeline, newest first, filtered by resource, kind and time.
struct EventRoutes {
    let catalog: any Catalog

    func register(on group: RouterGroup<StrataRequestContext>) {
        group.get("events") { request, context in
            let tenant = try context.requirePrincipal().tenantID
            var query = EventQuery()
            query.resourceID = request.uri.queryParameters["resource"].map(String.init)
            query.kind = request.uri.queryParameters["kind"].map(String.init)
            query.sinceMs = try ResourceRoutes.milliseconds(request, "since")
            if let limit = request.uri.queryParameters["limit"] {
                guard let value = Int(limit), (1...10_000).contains(value) else { throw APIError.badData("limit must be 1 to 10000") }
                query.limit = value
            }
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
