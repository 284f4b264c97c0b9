import HTTPTypes
import Hummingbird
import StrataCatalog
import StrataCore
import StrataTSDB
import StrataWire

/// `GET /api/v1/stream?match[]=SELECTOR`: new samples of the caller's tenant's series that match any `match[]`, as
/// Server-Sent Events, pushed as ingest acknowledges them (agent batches and remote write alike), for `seconds`
/// (default 300, at most 3,600), after which the client reconnects with `Last-Event-ID` (EventSource does so by
/// itself) and gets what it missed while the server still holds it. With `live=RESOURCE_ID` the resource is also watched
/// live while the stream is open (docs/api.md "Live mode"). Event format: `StreamSession`; docs/stream.md.
struct StreamRoutes {
    let streams: SampleStreams
    /// Labels of series a batch does not carry.
    let querier: any Querier
    /// Credentials are re-checked once a second.
    let catalog: any Catalog
    /// Holds the live watch of a stream opened with `live=RESOURCE_ID` (docs/api.md "Live mode").
    let control: ControlService
    /// Most `match[]` selectors one stream takes.
    static let maxSelectors = 100
    /// How often a stream's live watch is renewed (each renewal lasts twice this).
    static let liveRenewalSeconds: Int64 = 30

    func register(on group: SecuredGroup) {
        group.get("stream", .permission(.read)) { request, context in try await stream(request, context) }
    }

    func stream(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let tenant = principal.tenantID
        let parameters = QueryString(request)
        let selectors = try Self.selectors(parameters.all("match[]"))
        let seconds = try parameters.integer("seconds", in: 1...3600, meaning: "seconds to stream") ?? 300
        var resume: StreamPosition?
        if let last = request.headers[values: HTTPField.Name("Last-Event-ID")!].first {
            guard let position = StreamPosition(last) else {
                throw APIError.badData("Last-Event-ID \"\(last)\" is not an id this stream sent (EPOCH-SEQUENCE)")
            }
            resume = position
        }
        // A password login is checked against the password it used: a new password ends the stream too.
        let passwordHash = principal.kind == .password
            ? try await catalog.user(named: principal.name, tenantID: tenant)?.passwordHash : nil
        // `live=ID`: the resource is watched live while the stream is open (its own watch, renewed, ended at the close).
        var live: (id: String, watcher: String)?
        if let id = parameters["live"] {
            let watcher = "stream \(UInt64.random(in: 0...UInt64.max))"
            _ = try await control.watchLive(resourceID: id, tenantID: tenant, watcher: watcher, seconds: Self.liveRenewalSeconds * 2)
            live = (id, watcher)
        }
        let watch = live
        let catalog = self.catalog
        let control = self.control
        let session = StreamSession(
            streams: streams, querier: querier, filter: StreamFilter(tenant: tenant, selectors: selectors), resume: resume,
            deadline: ContinuousClock.now + .seconds(seconds),
            credentialStands: { try await catalog.credentialStands(principal, passwordHash: passwordHash, nowMs: Time.nowMs()) },
            channel: context.channel)
        let body = ResponseBody { writer in
            let renewal = watch.map { live in
                Task {
                    while (try? await Task.sleep(for: .seconds(Self.liveRenewalSeconds))) != nil {
                        _ = try? await control.watchLive(resourceID: live.id, tenantID: tenant, watcher: live.watcher,
                                                         seconds: Self.liveRenewalSeconds * 2)
                    }
                }
            }
            defer {
                renewal?.cancel()
                if let live = watch { Task { await control.endLiveWatch(resourceID: live.id, tenantID: tenant, watcher: live.watcher) } }
            }
            try await session.run(&writer)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// The matchers of each selector, with `__tenant__` matchers left out (the tenant is the caller's); a selector
    /// needs a matcher that does not match the empty value besides those.
    static func selectors(_ texts: [String]) throws -> [[LabelMatcher]] {
        guard !texts.isEmpty else {
            throw APIError.badData(#"match[] is required: one or more series selectors such as cpu_seconds_total{mode="user"}"#)
        }
        guard texts.count <= maxSelectors else { throw APIError.badData("at most \(maxSelectors) match[] selectors") }
        return try texts.map { text in
            let matchers: [LabelMatcher]
            do {
                matchers = try SeriesSelector.parse(text).filter { $0.name != Labels.tenant }
            } catch {
                throw APIError.badData("match[] \(text): \(error)")
            }
            guard matchers.contains(where: { !$0.matches("") }) else {
                throw APIError.badData("match[] \(text) selects every series of the tenant; add a matcher such as a metric name")
            }
            return matchers
        }
    }
}
