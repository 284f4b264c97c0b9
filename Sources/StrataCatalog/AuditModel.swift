/// One audit record: who did what to what, when, from where, and how it ended.
///
/// The audit table is append-only: SQLite triggers abort any UPDATE or DELETE on it.
public struct AuditRecord: Sendable, Equatable {
    /// Monotonic id.
    public var id: Int64
    /// Tenant the action happened in.
    public var tenantID: String
    /// When, Unix ms.
    public var timeMs: Int64
    /// Who: a user name, `token:NAME`, `agent:ID` or `system`.
    public var actor: String
    /// What, e.g. `login`, `token.create`, `token.use`, `user.update`, `agent.enroll`, `agent.revoke`.
    public var action: String
    /// What it was done to, e.g. `token:12`, `user:alice`.
    public var target: String
    /// `ok`, `denied` or `failed`.
    public var outcome: String
    /// Extra facts (never a secret).
    public var detail: String
    /// Remote address of the request, if known.
    public var remote: String

    /// Creates a record; `id` is assigned when stored.
    public init(id: Int64 = 0, tenantID: String, timeMs: Int64, actor: String, action: String, target: String = "",
                outcome: String = "ok", detail: String = "", remote: String = "") {
        self.id = id
        self.tenantID = tenantID
        self.timeMs = timeMs
        self.actor = actor
        self.action = action
        self.target = target
        self.outcome = outcome
        self.detail = detail
        self.remote = remote
    }
}

/// Filters for reading the audit log, newest first.
public struct AuditQuery: Sendable {
    /// Only this action (exact) or actions under this prefix when it ends with `.`.
    public var action: String?
    /// Only this actor.
    public var actor: String?
    /// Only records at or after this time.
    public var sinceMs: Int64?
    /// Only records with an id below this (paging backwards).
    public var beforeID: Int64?
    /// Most rows returned.
    public var limit: Int

    /// Creates a query.
    public init(action: String? = nil, actor: String? = nil, sinceMs: Int64? = nil, beforeID: Int64? = nil, limit: Int = 100) {
        self.action = action
        self.actor = actor
        self.sinceMs = sinceMs
        self.beforeID = beforeID
        self.limit = limit
    }
}
