/// A silence: alerts it covers are recorded as usual but nobody is notified while it lasts. A maintenance window
/// is a silence over a resource subtree (`resourceIDs` holds the subtree's root; the evaluator passes each alert's
/// ancestors). With a `recurrence` it is in force only in its windows (every weekend 02:00–04:00, …) between
/// `startsMs` and `endsMs` (`Int64.max`: until deleted).
public struct Silence: Sendable, Equatable, Codable {
    /// Its id.
    public var id: String
    /// The tenant it belongs to.
    public var tenantID: String
    /// Label values an alert must carry (all of them; `alertname`, `severity`, `resource_id` and the definition's
    /// labels are an alert's labels). Empty with empty `resourceIDs`: refused when created (it would silence all).
    public var matchers: [String: String]
    /// Resources whose alerts, and whose descendants' alerts, are covered (empty: any resource).
    public var resourceIDs: [String]
    /// From when, Unix ms.
    public var startsMs: Int64
    /// Until when, Unix ms (exclusive).
    public var endsMs: Int64
    /// Why, for people.
    public var comment: String
    /// Who made it.
    public var createdBy: String
    /// When it recurs; nil for one stretch from `startsMs` to `endsMs`.
    public var recurrence: Recurrence?

    /// A silence.
    public init(id: String, tenantID: String, matchers: [String: String], resourceIDs: [String] = [], startsMs: Int64, endsMs: Int64,
                comment: String, createdBy: String, recurrence: Recurrence? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.matchers = matchers
        self.resourceIDs = resourceIDs
        self.startsMs = startsMs
        self.endsMs = endsMs
        self.comment = comment
        self.createdBy = createdBy
        self.recurrence = recurrence
    }

    /// Whether it is in force at `atMs`: within its bounds and, when it recurs, within one of its windows.
    public func isActive(atMs: Int64) -> Bool {
        atMs >= startsMs && atMs < endsMs && (recurrence?.covers(atMs: atMs) ?? true)
    }

    /// Whether it covers an alert with `labels` on a resource whose lineage (itself first, then its ancestors) is
    /// `lineage`, at `atMs`.
    public func covers(labels: [String: String], lineage: [String], atMs: Int64) -> Bool {
        guard isActive(atMs: atMs), !(matchers.isEmpty && resourceIDs.isEmpty) else { return false }
        guard matchers.allSatisfy({ labels[$0.key] == $0.value }) else { return false }
        return resourceIDs.isEmpty || resourceIDs.contains(where: lineage.contains)
    }
}
