/// Who watches which resource live (docs/api.md "Live mode"), and so which agents collect every second, until when: a
/// value type without I/O or a clock of its own (times are Unix ms passed in), held by `ControlService`.
///
/// A watch is one watcher's interest in one resource of one tenant, bound to the agent that reports the resource,
/// with an expiry; posting again renews (or shortens) it. An agent's live window ends at the latest expiry among the
/// watches bound to it; expired watches count for nothing and are dropped by `prune`. A tenant holds at most
/// `maxPerTenant` watches, so one tenant cannot grow the table for the others.
struct LiveWatches: Sendable, Equatable {
    /// One watcher's interest in one resource.
    struct Key: Hashable, Sendable {
        var tenantID: String
        var resourceID: String
        /// Who watches: the principal (user, token or session) that posted it.
        var watcher: String
    }

    /// The agent a watch makes collect fast, and until when.
    struct Watch: Sendable, Equatable {
        var agentID: String
        var untilMs: Int64
    }

    /// The interval an agent collects at while watched.
    static let intervalMs: Int64 = 1_000
    /// A watch's length when the request names none, in seconds.
    static let defaultSeconds: Int64 = 60
    /// The range a request may ask for, in seconds.
    static let seconds: ClosedRange<Int64> = 5...300
    /// Most watches one tenant holds at once.
    static let maxPerTenant = 1_000

    private(set) var watches: [Key: Watch] = [:]

    /// Starts or renews the watch `key` on `agentID` until `untilMs`; false (nothing changed) when it is new and its
    /// tenant already holds `maxPerTenant` unexpired watches.
    mutating func watch(_ key: Key, agentID: String, untilMs: Int64, nowMs: Int64) -> Bool {
        if watches[key] == nil {
            prune(nowMs: nowMs)
            guard watches.keys.count(where: { $0.tenantID == key.tenantID }) < Self.maxPerTenant else { return false }
        }
        watches[key] = Watch(agentID: agentID, untilMs: untilMs)
        return true
    }

    /// Ends the watch `key`; false when there was none.
    @discardableResult
    mutating func end(_ key: Key) -> Bool {
        watches.removeValue(forKey: key) != nil
    }

    /// When the live window of `agentID` ends: the latest unexpired watch bound to it; nil when none is.
    func untilMs(agentID: String, nowMs: Int64) -> Int64? {
        watches.values.filter { $0.agentID == agentID && $0.untilMs > nowMs }.map(\.untilMs).max()
    }

    /// Drops the watches expired at `nowMs`.
    mutating func prune(nowMs: Int64) {
        watches = watches.filter { $0.value.untilMs > nowMs }
    }
}

/// What an agent is told about its live window on each fetch of commands (docs/protocol.md "Live mode"), and which
/// window each agent was last told, so a fetch answers early when the window changed: started, renewed or ended.
struct LiveNotices: Sendable, Equatable {
    /// The window last sent to each agent (nil value: told there is none).
    private var sent: [String: Int64] = [:]

    /// Windows closer than this are the same to the agent: a renewal that moves the end by less wakes no fetch.
    static let toleranceMs: Int64 = 1_000

    /// Whether `current` (the agent's window end now, nil for none) differs from what the agent was last told.
    func changed(agentID: String, current: Int64?) -> Bool {
        switch (sent[agentID], current) {
        case (nil, nil): return false
        case (let told?, let now?): return abs(now - told) > Self.toleranceMs
        default: return true
        }
    }

    /// Records that `agentID` is told `current`.
    mutating func told(agentID: String, current: Int64?) {
        sent[agentID] = current
    }
}
