import StrataCore

/// The live window a fetch of commands carries (docs/protocol.md "Live mode"): collect every `intervalMs` for the
/// next `forMs`.
struct LiveOrder: Sendable, Equatable {
    /// The interval asked for (the agent never collects faster than `CollectionCadence.fastestMs`).
    var intervalMs: Int64
    /// How long from the answer on, counted on the agent's own clock.
    var forMs: Int64

    /// The longest window the agent accepts from one answer (a server renews it long before).
    static let maxForMs: Int64 = 600_000

    /// The `live` member of an answer: nil when there is none, or when it is malformed (then it is ignored, as an
    /// agent that does not know live mode ignores it).
    static func read(_ value: PropertyValue?) -> LiveOrder? {
        guard let value, case .int(let interval)? = CommandWire.member("intervalMs", of: value),
              case .int(let length)? = CommandWire.member("forMs", of: value), interval > 0, length > 0 else { return nil }
        return LiveOrder(intervalMs: interval, forMs: min(length, maxForMs))
    }
}

/// The agent's live window as its last fetch left it, on the monotonic clock (a wall-clock step does not move it).
/// Each successful fetch replaces it: an answer without `live` ends the window; a failed fetch leaves it to run out.
struct LiveWindowState: Sendable, Equatable {
    private var intervalMs: Int64?
    private var untilMs: Int64 = 0

    /// Applies a fetch answer's order received at `nowMs`; true when a window opened that was not open before.
    mutating func apply(_ order: LiveOrder?, nowMs: Int64) -> Bool {
        let wasOpen = interval(nowMs: nowMs) != nil
        intervalMs = order?.intervalMs
        untilMs = order.map { nowMs + $0.forMs } ?? 0
        return !wasOpen && order != nil
    }

    /// The live interval in force at `nowMs`; nil when no window is open.
    func interval(nowMs: Int64) -> Int64? {
        nowMs < untilMs ? intervalMs : nil
    }
}
