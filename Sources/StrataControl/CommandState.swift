/// Where a command stands. `queued` (stored, not yet fetched) → `delivered` (an agent fetched it) → `accepted`
/// (the agent journaled it: it will never run it again) → `running` → `succeeded` | `failed`; or `refused` (the agent
/// would not run it), `interrupted` (the agent died while running it: outcome unknown), `expired` (not started by
/// its deadline), `canceled` (by a person before it started).
public enum CommandState: String, Sendable, Codable, CaseIterable {
    case queued, delivered, accepted, running, succeeded, failed, refused, interrupted, expired, canceled

    /// Whether nothing more will happen to it.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .refused, .interrupted, .expired, .canceled: true
        default: false
        }
    }

    /// Whether it may still be handed to its agent.
    public var isPending: Bool { self == .queued || self == .delivered }

    /// Order along the way; a report may only move a command forward.
    var rank: Int {
        switch self {
        case .queued: 0
        case .delivered: 1
        case .accepted: 2
        case .running: 3
        default: 4
        }
    }

    /// Whether an agent's report of `next` may follow this state (reports arrive again after retries: the same
    /// state again is accepted and changes nothing).
    /// A command the server expired may still be reported by an agent that started it before the deadline by its own
    /// clock: what the agent did wins over the server's guess.
    public func allows(_ next: CommandState) -> Bool {
        if self == .expired { return next == self || [.accepted, .running, .succeeded, .failed, .refused, .interrupted].contains(next) }
        guard !isFinal else { return next == self }
        switch next {
        case .queued, .expired, .canceled: return false
        default: return next.rank >= rank
        }
    }
}
