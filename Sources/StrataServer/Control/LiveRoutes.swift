import Hummingbird
import StrataCatalog
import StrataWire

/// Live mode's REST API (docs/api.md "Live mode"): a page watching a resource posts `resources/{id}/live` every 20–30 s
/// while it is open, and the agent that reports the resource collects every second until the last watch expires.
/// Read permission suffices (it changes what is collected, not what anyone may see); tenant-scoped like every route.
struct LiveRoutes {
    let control: ControlService
    let maxJSONBytes: Int

    /// A watch request's body (optional).
    struct WatchRequest: Decodable {
        var seconds: Int64?
    }

    func register(on group: SecuredGroup) {
        group.post("resources/:id/live", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let meaning = "how long to watch, in seconds"
            var seconds = try QueryString(request).integer("seconds", in: LiveWatches.seconds, meaning: meaning)
            // The body is optional: an empty one (with or without a Content-Type) watches for the query's or the default length.
            let buffer = try await StrictJSON.body(of: request, limit: min(maxJSONBytes, 4_096), requireType: false)
            if buffer.readableBytes > 0 {
                let body = try StrictJSON.decode(WatchRequest.self, from: buffer, allowedFields: ["seconds"], example: #"{"seconds": 60}"#)
                if let asked = body.seconds {
                    guard LiveWatches.seconds.contains(asked) else { throw APIError.badData("seconds must be \(meaning), from \(LiveWatches.seconds.lowerBound) to \(LiveWatches.seconds.upperBound); got \(asked)") }
                    seconds = asked
                }
            }
            let answer = try await control.watchLive(resourceID: id, tenantID: principal.tenantID, watcher: Self.watcher(principal),
                                                     seconds: seconds ?? LiveWatches.defaultSeconds)
            return Envelope.success(.object([
                ("resource", .string(answer.resourceID)), ("platform", .string(answer.platformID)), ("agent", .string(answer.agentID)),
                ("intervalMs", .int(answer.intervalMs)), ("untilMs", .int(answer.untilMs)),
            ]))
        }
        group.delete("resources/:id/live", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let ended = await control.endLiveWatch(resourceID: id, tenantID: principal.tenantID, watcher: Self.watcher(principal))
            return Envelope.success(.object([("resource", .string(id)), ("ended", .bool(ended))]))
        }
    }

    /// Who watches: the same user, token or session renews one watch, however many requests it sends.
    static func watcher(_ principal: Principal) -> String {
        "\(principal.kind) \(principal.userID.map(String.init) ?? "-") \(principal.tokenID.map(String.init) ?? "-") \(principal.name)"
    }
}
