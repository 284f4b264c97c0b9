/// When the agent's loop collects: a value-type state machine without I/O or a clock of its own (times are Unix ms
/// passed in), driven by `Agent.run`.
///
/// Full collections (every collector, discovery refreshes counted in them) happen at each multiple of the configured
/// interval, as they always did. While a live window is open (docs/agent.md "Live mode") the loop also makes live
/// collections — the platform's own readings — at each multiple of the live interval in between, the first at once.
/// A live interval is never under `fastestMs` and is ignored unless it is shorter than the configured one. Nothing
/// about full collections changes with live mode, so discovery, the collectors' schedules and the interval the batches
/// announce to the server stay the same.
struct CollectionCadence: Sendable, Equatable {
    /// What the loop does now.
    enum Step: Sendable, Equatable {
        /// A full collection.
        case full
        /// A live collection: the platform's readings alone.
        case live
        /// Nothing is due.
        case rest
    }

    /// The fastest the agent ever collects.
    static let fastestMs: Int64 = 1_000
    /// The configured interval.
    let intervalMs: Int64
    /// When the next full collection is due.
    private(set) var nextFullMs: Int64
    /// When the next live collection is due; nil while no live window is open.
    private(set) var nextLiveMs: Int64?
    /// The live interval in force; nil while no live window is open.
    private(set) var liveIntervalMs: Int64?

    /// A cadence of `intervalMs` (at least 1 ms) whose first full collection is due at `nowMs`.
    init(intervalMs: Int64, nowMs: Int64) {
        self.intervalMs = max(1, intervalMs)
        nextFullMs = nowMs
    }

    /// The step at `nowMs` with `live` the live interval the server asked for (nil: no live window open). Opening a
    /// window makes a live collection due at once; closing one drops the live collections.
    mutating func step(nowMs: Int64, live: Int64?) -> Step {
        let interval = live.map { max(Self.fastestMs, $0) }.flatMap { $0 < intervalMs ? $0 : nil }
        if interval != liveIntervalMs {
            nextLiveMs = interval.map { _ in nowMs }
            liveIntervalMs = interval
        }
        if nowMs >= nextFullMs { return .full }
        if let next = nextLiveMs, nowMs >= next { return .live }
        return .rest
    }

    /// The collection `step` is done at `nowMs` (after it was built): the next ones are due at the following
    /// multiples of their intervals, so a slow collection skips slots instead of bunching them.
    mutating func collected(_ step: Step, nowMs: Int64) {
        if step == .full { nextFullMs = Self.slot(after: nowMs, every: intervalMs) }
        if step != .rest, let live = liveIntervalMs { nextLiveMs = Self.slot(after: nowMs, every: live) }
    }

    /// When the loop should look again.
    var wakeMs: Int64 { min(nextFullMs, nextLiveMs ?? .max) }

    /// Whether a live window is open.
    var isLive: Bool { liveIntervalMs != nil }

    /// The first multiple of `every` after `nowMs`.
    static func slot(after nowMs: Int64, every: Int64) -> Int64 {
        let (next, overflow) = (nowMs / every + 1).multipliedReportingOverflow(by: every)
        return overflow ? .max : next
    }
}
