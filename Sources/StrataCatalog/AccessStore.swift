/// Tenants, users, credentials, agent enrollment and the audit log. Every call that reads or changes a
/// tenant's rows takes the tenant; nothing here crosses tenants except `tenants()`, which only provider
/// admins reach.
public protocol AccessStore: Sendable {
    /// All tenants.
    func tenants() async throws -> [TenantRecord]
    /// Creates a tenant with its first admin user. Throws `AccessError.exists` if the id is taken.
    func createTenant(id: String, name: String, adminUsername: String, adminPasswordHash: String, nowMs: Int64) async throws -> TenantRecord
    /// An enabled user's id, password hash and role.
    func user(named username: String, tenantID: String) async throws -> (id: Int64, passwordHash: String, role: Role)?
    /// The tenant's users.
    func users(tenantID: String) async throws -> [UserRecord]
    /// Creates a user. Throws `AccessError.exists` if the name is taken in the tenant.
    func createUser(tenantID: String, username: String, passwordHash: String, role: Role, nowMs: Int64) async throws -> UserRecord
    /// Changes a user's role, password or disabled state; disabling or a new password revokes the user's tokens
    /// and sessions. Nil if there is no such user in the tenant.
    func updateUser(tenantID: String, id: Int64, role: Role?, passwordHash: String?, disabled: Bool?, nowMs: Int64) async throws -> UserRecord?
    /// The principal of a live (unexpired, unrevoked) credential of one of `kinds` with this hash.
    func credential(tokenHash: String, kinds: Set<TokenKind>, nowMs: Int64) async throws -> CredentialMatch?
    /// Whether the credential that authenticated `principal` still stands: its token unrevoked and unexpired,
    /// its user enabled (for a password login: the user enabled and `passwordHash` still the user's). Long
    /// requests (event streams) ask this while they run, so a revocation ends them too.
    func credentialStands(_ principal: Principal, passwordHash: String?, nowMs: Int64) async throws -> Bool
    /// Stores a credential; returns its id.
    func createToken(_ token: NewToken, nowMs: Int64) async throws -> Int64
    /// The tenant's credentials of `kinds`, newest first; only `userID`'s when given.
    func tokens(tenantID: String, kinds: Set<TokenKind>, userID: Int64?) async throws -> [TokenRecord]
    /// Revokes a credential at once. Nil if there is no such token in the tenant (or only `userID`'s).
    func revokeToken(tenantID: String, id: Int64, userID: Int64?, nowMs: Int64) async throws -> TokenRecord?
    /// Records that a credential was used.
    func touchToken(id: Int64, nowMs: Int64) async throws
    /// Enrolls an agent: revokes its earlier credentials, stores the new one bound to `platformID`, and
    /// registers the agent. Throws `EnrollmentError` for a revoked or foreign agent id. A platform that
    /// another agent already reports (and has reported to) moves to this one only with that agent's live
    /// credential (its hash as `holderCredentialHash`) or an admin's approval of the `enrollment` discovery
    /// this call queues (`awaitingApproval`); the former agent's credentials are then revoked.
    func enrollAgent(tenantID: String, agentID: String, platformID: String, tokenHash: String, holderCredentialHash: String?,
                     nowMs: Int64) async throws -> Int64
    /// The tenant's agents.
    func agents(tenantID: String) async throws -> [AgentRecord]
    /// Revokes an agent: its credentials stop working at once and it cannot enroll again. False if unknown.
    func revokeAgent(tenantID: String, id: String, nowMs: Int64) async throws -> Bool
    /// Appends audit records.
    func appendAudit(_ records: [AuditRecord]) async throws
    /// The tenant's audit records, newest first.
    func audit(tenantID: String, query: AuditQuery) async throws -> [AuditRecord]
}

/// Why an access change was refused.
public enum AccessError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is taken.
    case exists(String)

    public var description: String {
        switch self {
        case .exists(let what): return "\(what) already exists"
        }
    }
}
