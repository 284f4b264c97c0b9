import StrataAPI
import StrataCatalog
import StrataCore

/// An agent's live window as the fetch of commands tells it (docs/protocol.md "Live mode").
struct LiveWindow: Sendable, Equatable {
    /// The interval to collect at while the window is open.
    var intervalMs: Int64
    /// When it ends, on the server's clock (Unix ms).
    var untilMs: Int64
    /// How long it stays open from the answer on (the agent counts this on its own clock, so clock skew does not
    /// matter).
    var forMs: Int64
}

/// Live mode (docs/api.md "Live mode"): people watching a resource make the agent that reports it collect every
/// second, until the last watch expires. Watches live in memory: a restarted server forgets them, and the pages
/// watching renew them within their renewal period.
extension ControlService {
    /// A watch as answered to the watcher.
    struct LiveWatchAnswer: Sendable, Equatable {
        var resourceID: String
        var platformID: String
        var agentID: String
        var intervalMs: Int64
        var untilMs: Int64
    }

    /// Starts or renews `watcher`'s watch of the tenant's resource `resourceID` for `seconds` (within
    /// `LiveWatches.seconds`), and wakes the agent's pending fetch when its window changed. 404 for a resource not in
    /// the tenant, 409 for one no agent reports, 429 when the tenant watches too much already.
    func watchLive(resourceID: String, tenantID: String, watcher: String, seconds: Int64) async throws -> LiveWatchAnswer {
        guard let resource = try await catalog.resource(tenantID: tenantID, id: resourceID), resource.removedMs == nil else {
            throw APIError.notFound("no resource \(resourceID) in this tenant")
        }
        guard let (platform, agentID) = try await reportingPlatform(of: resource, tenantID: tenantID) else {
            throw APIError.conflict("no agent reports \(resource.name): live mode needs the agent of its platform (or of its hypervisor's host); "
                                    + "series that arrive by remote write, OTLP or import have no agent to speed up")
        }
        let now = clock()
        let untilMs = now + min(max(seconds, LiveWatches.seconds.lowerBound), LiveWatches.seconds.upperBound) * 1_000
        let key = LiveWatches.Key(tenantID: tenantID, resourceID: resource.id, watcher: watcher)
        guard liveWatches.watch(key, agentID: agentID, untilMs: untilMs, nowMs: now) else {
            throw APIError.tooManyRequests("this tenant already watches \(LiveWatches.maxPerTenant) resources live; try again when some expire",
                                           retryAfterSeconds: 30)
        }
        if liveChanged(agentID: agentID, nowMs: now) { wake(agentID) }
        return LiveWatchAnswer(resourceID: resource.id, platformID: platform.id, agentID: agentID, intervalMs: LiveWatches.intervalMs,
                               untilMs: liveWatches.untilMs(agentID: agentID, nowMs: now) ?? untilMs)
    }

    /// Ends `watcher`'s watch of `resourceID`; the agent goes back to its interval when no other watch holds it.
    /// False when there was none.
    func endLiveWatch(resourceID: String, tenantID: String, watcher: String) -> Bool {
        let key = LiveWatches.Key(tenantID: tenantID, resourceID: resourceID, watcher: watcher)
        guard let agentID = liveWatches.watches[key]?.agentID, liveWatches.end(key) else { return false }
        if liveChanged(agentID: agentID, nowMs: clock()) { wake(agentID) }
        return true
    }

    /// Drops expired watches (from `ControlExpiry`, once a second).
    func pruneLiveWatches() {
        liveWatches.prune(nowMs: clock())
    }

    /// Whether the agent's live window differs from what its last fetch was told.
    func liveChanged(agentID: String, nowMs: Int64) -> Bool {
        liveNotices.changed(agentID: agentID, current: liveWatches.untilMs(agentID: agentID, nowMs: nowMs))
    }

    /// The agent's live window for a fetch answer, recorded as told.
    func tellLive(agentID: String, nowMs: Int64) -> LiveWindow? {
        let until = liveWatches.untilMs(agentID: agentID, nowMs: nowMs)
        liveNotices.told(agentID: agentID, current: until)
        return until.map { LiveWindow(intervalMs: LiveWatches.intervalMs, untilMs: $0, forMs: $0 - nowMs) }
    }
}
