/// What a principal may do. Every route names the one permission it needs (docs/security.md).
public enum Permission: String, Sendable, CaseIterable, Codable {
    /// Read inventory, series, queries, events and the server's own metrics.
    case read
    /// Write samples (Prometheus remote write).
    case write
    /// Run control actions.
    case control
    /// Acknowledge alerts and approve discoveries.
    case acknowledge
    /// Change definitions (alert rules, schedules, groups).
    case manage
    /// Manage users, tokens and agents; read the audit log.
    case administer
    /// Create and list tenants: only admins of the provider tenant (`default`).
    case tenants
}

/// A user's role in its tenant.
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Everything in the tenant.
    case admin
    /// Read, control and acknowledge.
    case `operator`
    /// Read only.
    case viewer

    /// The permissions the role grants in `tenantID`.
    public func permissions(tenantID: String) -> Set<Permission> {
        switch self {
        case .viewer: return [.read]
        case .operator: return [.read, .control, .acknowledge]
        case .admin:
            var all: Set<Permission> = [.read, .write, .control, .acknowledge, .manage, .administer]
            if tenantID == defaultTenant { all.insert(.tenants) }
            return all
        }
    }
}

/// Kinds of bearer secrets the catalog stores (hashed).
public enum TokenKind: String, Sendable, CaseIterable, Codable {
    /// A user's API token (`sk_…`), optionally narrowed by scopes.
    case api
    /// An agent enrollment token (`sat_…`): good only for exchanging into an agent credential.
    case enrollment
    /// A per-agent credential (`sag_…`) bound to one agent id and its platform.
    case agent
    /// A browser session (`ses_…`, HttpOnly cookie) with a CSRF token for writes.
    case session
    /// A client certificate issued to an agent, stored by the SHA-256 of its DER form.
    case certificate
}

/// How a principal authenticated.
public enum PrincipalKind: String, Sendable, Codable {
    /// HTTP basic with a user's password.
    case password
    /// A bearer API token.
    case apiToken
    /// A session cookie.
    case session
    /// An agent enrollment token.
    case enrollment
    /// A per-agent credential.
    case agent
}

/// An authenticated principal: who, in which tenant, allowed to do what.
public struct Principal: Sendable, Equatable {
    /// The tenant the principal acts in; every read and write is scoped to it.
    public var tenantID: String
    /// The user id, for users, their tokens and sessions.
    public var userID: Int64?
    /// User name, token name or agent id.
    public var name: String
    /// The user's role, nil for agents and enrollment tokens.
    public var role: Role?
    /// How it authenticated.
    public var kind: PrincipalKind
    /// The token row that authenticated it, if any.
    public var tokenID: Int64?
    /// Scopes a token was narrowed to; empty means everything the role allows.
    public var scopes: Set<Permission>
    /// For agent credentials: the agent id and the platform it is bound to.
    public var agentID: String?
    /// The platform resource an agent credential is bound to.
    public var platformID: String?
    /// When the credential that authenticated it expires (Unix ms), if it does.
    public var expiresMs: Int64?

    /// Creates a principal.
    public init(tenantID: String, userID: Int64?, name: String, role: Role?, kind: PrincipalKind, tokenID: Int64? = nil,
                scopes: Set<Permission> = [], agentID: String? = nil, platformID: String? = nil, expiresMs: Int64? = nil) {
        self.tenantID = tenantID
        self.userID = userID
        self.name = name
        self.role = role
        self.kind = kind
        self.tokenID = tokenID
        self.scopes = scopes
        self.agentID = agentID
        self.platformID = platformID
        self.expiresMs = expiresMs
    }

    /// What it may do: the role's permissions narrowed by the token's scopes. Agents get none here;
    /// the agent API checks the credential kind instead.
    public var permissions: Set<Permission> {
        guard let role else { return [] }
        let granted = role.permissions(tenantID: tenantID)
        return scopes.isEmpty ? granted : granted.intersection(scopes)
    }

    /// Whether it holds `permission`.
    public func may(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Whether it holds every permission of `role` in its tenant — what it takes to give a user that role, or
    /// to change a user who has it (a narrowed token must not mint or take over wider users).
    public func holdsAll(of role: Role) -> Bool { permissions.isSuperset(of: role.permissions(tenantID: tenantID)) }
}

/// Scopes as stored: comma-separated permission names.
enum ScopeText {
    static func encode(_ scopes: Set<Permission>) -> String {
        scopes.map(\.rawValue).sorted().joined(separator: ",")
    }

    static func decode(_ text: String) -> Set<Permission> {
        Set(text.split(separator: ",").compactMap { Permission(rawValue: String($0)) })
    }
}

/// A tenant.
public struct TenantRecord: Sendable, Equatable {
    /// Short id used in logins (`user@tenant`) and URLs.
    public var id: String
    /// Display name.
    public var name: String
    /// Creation time, Unix ms.
    public var createdMs: Int64
}

/// A user as listed (never with its password hash).
public struct UserRecord: Sendable, Equatable {
    /// Row id.
    public var id: Int64
    /// Tenant.
    public var tenantID: String
    /// Login name within the tenant.
    public var username: String
    /// Role.
    public var role: Role
    /// Creation time, Unix ms.
    public var createdMs: Int64
    /// When the user was disabled, if it was.
    public var disabledMs: Int64?
}

/// A stored credential as listed (never with its hash).
public struct TokenRecord: Sendable, Equatable {
    /// Row id.
    public var id: Int64
    /// Tenant.
    public var tenantID: String
    /// Owning user, for API tokens and sessions.
    public var userID: Int64?
    /// Kind.
    public var kind: TokenKind
    /// Name given at creation.
    public var name: String
    /// Scopes (empty: all the role allows).
    public var scopes: Set<Permission>
    /// Agent id, for agent credentials.
    public var agentID: String?
    /// Bound platform, for agent credentials.
    public var platformID: String?
    /// Creation time, Unix ms.
    public var createdMs: Int64
    /// Expiry, Unix ms.
    public var expiresMs: Int64?
    /// Revocation time, Unix ms.
    public var revokedMs: Int64?
    /// Last use recorded (at most once a minute), Unix ms.
    public var lastUsedMs: Int64?
}

/// A new credential to store.
public struct NewToken: Sendable {
    /// Tenant.
    public var tenantID: String
    /// Owning user.
    public var userID: Int64?
    /// Kind.
    public var kind: TokenKind
    /// Name.
    public var name: String
    /// SHA-256 of the secret.
    public var tokenHash: String
    /// Scopes (empty: all the role allows).
    public var scopes: Set<Permission>
    /// Agent id (agent credentials).
    public var agentID: String?
    /// Bound platform (agent credentials).
    public var platformID: String?
    /// SHA-256 of the session's CSRF token (sessions).
    public var csrfHash: String?
    /// Expiry, Unix ms.
    public var expiresMs: Int64?

    /// Creates a description of a new token.
    public init(tenantID: String, userID: Int64?, kind: TokenKind, name: String, tokenHash: String,
                scopes: Set<Permission> = [], agentID: String? = nil, platformID: String? = nil, csrfHash: String? = nil,
                expiresMs: Int64? = nil) {
        self.tenantID = tenantID
        self.userID = userID
        self.kind = kind
        self.name = name
        self.tokenHash = tokenHash
        self.scopes = scopes
        self.agentID = agentID
        self.platformID = platformID
        self.csrfHash = csrfHash
        self.expiresMs = expiresMs
    }
}

/// The principal a live credential stands for, plus the session's CSRF hash when it is a session.
public struct CredentialMatch: Sendable, Equatable {
    /// Who.
    public var principal: Principal
    /// SHA-256 of the session's CSRF token.
    public var csrfHash: String?
}

/// Why an agent could not enroll.
public enum EnrollmentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The agent id was revoked by an admin.
    case agentRevoked(String)
    /// The agent id is enrolled in another tenant.
    case foreignAgent(String)
    /// Another agent holds the binding (or this agent id's credential still works): an admin must approve the
    /// request, queued as this discovery.
    case awaitingApproval(discoveryID: Int64)
    /// An admin ignored this agent's request to report the platform.
    case refusedByAdmin(String)

    public var description: String {
        switch self {
        case .agentRevoked(let id):
            return "agent \(id) was revoked and cannot enroll again; give the agent a new identity (remove its agent.state) and, if the host was compromised, rotate the enrollment token"
        case .foreignAgent(let id): return "agent \(id) is enrolled in another tenant"
        case .awaitingApproval(let discoveryID):
            return "another agent (or this agent id, with a working credential) already reports this platform; an admin must approve this enrollment (discovery \(discoveryID)), or enroll with that agent's current credential as platformCredential"
        case .refusedByAdmin(let id): return "an admin refused agent \(id) for this platform"
        }
    }
}
