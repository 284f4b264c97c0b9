import Hummingbird
import StrataAPI
import StrataWire
import HTTPTypes
import StrataCatalog
import StrataCore
import StrataInventory

/// The event timeline: `GET /api/v1/events` newest first — filters `resource` (with `subtree=true`: the
/// resource and everything below it), `kind`, `severity` (at least), `q` (full-text words), `since`/`until`
/// (Unix ms), `before` (an id, for paging back), `limit`; and `GET /api/v1/events/stream`, Server-Sent
/// Events of new events with the same filters, for `seconds` (default 60, at most 300) after which the
/// client reconnects with `Last-Event-ID` (EventSource does so by itself). A stream is woken by the
/// `EventSink` when its tenant has a new event, and reads the catalog only then.
struct EventRoutes {
    let catalog: any Catalog
    /// New events wake the streams.
    let events: EventSink

    func register(on group: SecuredGroup) {
        group.get("events", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            let query = try Self.query(request)
            let events = try await catalog.events(tenantID: tenant, query: query)
            return try Envelope.success(events.map(API.Event.init))
        }
        group.get("events/stream", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let tenant = principal.tenantID
            // A password login is checked against the password it used: a new password ends the stream too.
            let passwordHash = principal.kind == .password
                ? try await catalog.user(named: principal.name, tenantID: tenant)?.passwordHash : nil
            var query = try Self.query(request)
            let seconds = try QueryString(request).integer("seconds", in: 1...300, meaning: "seconds to stream") ?? 60
            // Resume after the client's last event, else start with what happens from now on.
            if let last = request.headers[values: HTTPField.Name("Last-Event-ID")!].first.flatMap({ Int64($0) }) {
                query.afterID = last
            } else if query.afterID == nil {
                query.afterID = try await catalog.events(tenantID: tenant, query: EventQuery(limit: 1)).first?.id ?? 0
            }
            let start = query
            let catalog = self.catalog
            let sink = self.events
            let body = ResponseBody { writer in
                var query = start
                query.limit = 500
                query.oldestFirst = true
                let deadline = ContinuousClock.now + .seconds(seconds)
                // Woken by each new event of the tenant (the sink), and once a second to re-check the credential
                // and the deadline; the catalog is read only when there is something new.
                let (wakeups, wake) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(2))
                let subscription = sink.subscribe(tenantID: tenant) { _ in wake.yield(true) }
                defer { sink.cancel(subscription) }
                try await writer.write(ByteBuffer(string: "retry: 1000\n: strata event stream\n\n"))
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        while true {
                            try await Task.sleep(for: .seconds(1))
                            wake.yield(false)
                        }
                    }
                    wake.yield(true)  // first: whatever was stored since the client's last event
                    for await hasEvents in wakeups {
                        guard ContinuousClock.now < deadline else { break }
                        // Revocation is immediate, also on open streams (docs/security.md).
                        guard try await catalog.credentialStands(principal, passwordHash: passwordHash, nowMs: Time.nowMs()) else {
                            try await writer.write(ByteBuffer(string: "event: revoked\ndata: {\"reason\":\"the credential of this stream was revoked or expired\"}\n\n"))
                            break
                        }
                        guard hasEvents else { continue }
                        var page: [EventRecord]
                        repeat {
                            page = try await catalog.events(tenantID: tenant, query: query)
                            for event in page {
                                try await writer.write(ByteBuffer(string: "id: \(event.id)\nevent: \(event.kind)\ndata: \(try JSONTreeEncoder.encode(API.Event(event)).text)\n\n"))
                                query.afterID = event.id
                            }
                        } while page.count == query.limit
                    }
                    group.cancelAll()
                }
                try await writer.finish(nil)
            }
            return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
        }
    }

    /// The filters of a timeline request.
    static func query(_ request: Request) throws -> EventQuery {
        var query = EventQuery()
        let parameters = QueryString(request)
        query.resourceID = parameters["resource"]
        switch parameters["subtree"] {
        case nil, "false": query.subtree = false
        case "true":
            guard query.resourceID != nil else { throw APIError.badData("subtree=true needs resource=ID: the resource whose subtree to list") }
            query.subtree = true
        case let other?: throw APIError.badData("subtree must be true or false (with resource=ID for the resource); got \"\(other.prefix(40))\"")
        }
        query.kind = parameters["kind"].map(EventKind.init(rawValue:))
        if let severity = parameters["severity"] {
            guard let minimum = EventSeverity.allCases.first(where: { $0.name == severity }) else {
                throw APIError.badData("severity must be info, warning, error or critical")
            }
            query.minimumSeverity = minimum
        }
        if let text = parameters["q"], !text.isEmpty {
            guard text.count <= 200 else { throw APIError.badData("q must be at most 200 characters") }
            query.text = text
        }
        let now = Time.nowMs()
        query.sinceMs = try parameters.time("since", nowMs: now)
        query.untilMs = try parameters.time("until", nowMs: now)
        query.beforeID = try parameters.id("before", meaning: "an event id")
        query.afterID = try parameters.id("after", meaning: "an event id")
        query.limit = try parameters.limit(default: query.limit)
        return query
    }
}
