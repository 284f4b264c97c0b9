import Hummingbird
import HTTPTypes
import StrataCatalog

/// The event timeline: `GET /api/v1/events` newest first — filters `resource` (with `subtree=true`: the
/// resource and everything below it), `kind`, `severity` (at least), `q` (full-text words), `since`/`until`
/// (Unix ms), `before` (an id, for paging back), `limit`; and `GET /api/v1/events/stream`, Server-Sent
/// Events of new events with the same filters, for `seconds` (default 60, at most 300) after which the
/// client reconnects with `Last-Event-ID` (EventSource does so by itself).
struct EventRoutes {
    let catalog: any Catalog

    func register(on group: SecuredGroup) {
        group.get("events", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            let query = try Self.query(request)
            let events = try await catalog.events(tenantID: tenant, query: query)
            return Envelope.success(.array(events.map(Self.json)))
        }
        group.get("events/stream", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            var query = try Self.query(request)
            let seconds = try ResourceRoutes.integer(request, "seconds", meaning: "seconds to stream") ?? 60
            guard (1...300).contains(seconds) else { throw APIError.badData("seconds must be 1 to 300") }
            // Resume after the client's last event, else start with what happens from now on.
            if let last = request.headers[values: HTTPField.Name("Last-Event-ID")!].first.flatMap({ Int64($0) }) {
                query.afterID = last
            } else if query.afterID == nil {
                query.afterID = try await catalog.events(tenantID: tenant, query: EventQuery(limit: 1)).first?.id ?? 0
            }
            let start = query
            let catalog = self.catalog
            let body = ResponseBody { writer in
                var query = start
                query.limit = 500
                let deadline = ContinuousClock.now + .seconds(seconds)
                try await writer.write(ByteBuffer(string: "retry: 1000\n: strata event stream\n\n"))
                while ContinuousClock.now < deadline {
                    let events = try await catalog.events(tenantID: tenant, query: query).reversed()
                    for event in events {
                        try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind)\ndata: \(Self.json(event).text)\n\n"))
                        query.afterID = event.id
                    }
                    try await Task.sleep(for: .milliseconds(500))
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    /// The filters of a timeline request.
    static func query(_ request: Request) throws -> EventQuery {
        var query = EventQuery()
        query.resourceID = request.uri.queryParameters["resource"].map(String.init)
        query.subtree = request.uri.queryParameters["subtree"] == "true"
        query.kind = request.uri.queryParameters["kind"].map(String.init)
        if let severity = request.uri.queryParameters["severity"].map(String.init) {
            guard EventQuery.severities.contains(severity) else { throw APIError.badData("severity must be info, warning, error or critical") }
            query.minimumSeverity = severity
        }
        if let text = request.uri.queryParameters["q"].map(String.init), !text.isEmpty {
            guard text.count <= 200 else { throw APIError.badData("q must be at most 200 characters") }
            query.text = text
        }
        query.sinceMs = try ResourceRoutes.milliseconds(request, "since")
        query.untilMs = try ResourceRoutes.milliseconds(request, "until")
        query.beforeID = try ResourceRoutes.integer(request, "before", meaning: "an event id")
        query.afterID = try ResourceRoutes.integer(request, "after", meaning: "an event id")
        query.limit = try ResourceRoutes.limit(request, default: query.limit)
        return query
    }

    static func json(_ event: EventRecord) -> JSON {
        [
            "id": .int(event.id), "resourceId": .optional(event.resourceID), "timeMs": .int(event.timeMs),
            "kind": .string(event.kind), "severity": .string(event.severity), "message": .string(event.message),
            "source": .optional(event.source),
        ]
    }
}
