/// Where one alert's escalation stands: which firing episode it follows, up to when its due sends were handled, and
/// whether a person stopped it. A value-type state machine without a clock: every call carries the time.
///
/// Rules (docs/alerting.md, "Escalation"):
/// - A firing episode is identified by its firing transition's time; a new episode (fired again after a resolve)
///   starts the chain afresh.
/// - Acknowledging stops the chain for the rest of the episode; so does leaving the open states. Nothing restarts it
///   but a new episode.
/// - Each call hands out the sends that fell due since the previous call (`EscalationPolicy.due`), so every send is
///   handed out at most once per episode, and a stretch without calls yields each step's latest send only.
/// - After a restart, `init(episodeMs:handledThroughMs:)` resumes mid-chain from what the alert's history records.
public struct EscalationTracker: Sendable, Equatable {
    /// The firing transition's time of the episode followed; nil before the first call.
    public private(set) var episodeMs: Int64?
    /// Sends due at or before this time were handled (nil: none yet in this episode).
    public private(set) var handledThroughMs: Int64?
    /// Whether the episode's chain was stopped (acknowledged, or no longer open).
    public private(set) var stopped = false

    /// A tracker that has followed nothing.
    public init() {}

    /// Resumes the episode that fired at `episodeMs`, whose sends due at or before `handledThroughMs` were handled.
    public init(episodeMs: Int64, handledThroughMs: Int64?) {
        self.episodeMs = episodeMs
        self.handledThroughMs = handledThroughMs
    }

    /// Advances to `nowMs` with the alert in `state`, firing since `firingSinceMs` (`AlertLifecycle.firingSinceMs`);
    /// returns the sends that fell due since the previous call, none once stopped.
    public mutating func advance(state: AlertState, firingSinceMs: Int64?, nowMs: Int64, policy: EscalationPolicy) -> [EscalationSend] {
        guard state.isOpen, let since = firingSinceMs else {
            stopped = true
            return []
        }
        if since != episodeMs {
            episodeMs = since
            handledThroughMs = nil
            stopped = false
        }
        if state == .acknowledged { stopped = true }
        guard !stopped else { return [] }
        let sends = policy.due(firingSinceMs: since, after: handledThroughMs, nowMs: nowMs)
        handledThroughMs = max(handledThroughMs ?? nowMs, nowMs)
        return sends
    }

    /// `advance` with the state and firing start read from `lifecycle`.
    public mutating func advance(_ lifecycle: AlertLifecycle, nowMs: Int64, policy: EscalationPolicy) -> [EscalationSend] {
        advance(state: lifecycle.state, firingSinceMs: lifecycle.firingSinceMs, nowMs: nowMs, policy: policy)
    }
}
