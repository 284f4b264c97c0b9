extension API {
    /// An API or agent token (`GET /api/v1/tokens`); the secret is never shown again after creation.
    public struct Token: Codable, Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var name: String
        public var userId: Int64?
        public var scopes: [String]
        public var agentId: String?
        public var platformId: String?
        public var createdMs: Int64
        public var expiresMs: Int64?
        public var revokedMs: Int64?
        public var lastUsedMs: Int64?

        public init(id: Int64, kind: String, name: String, userId: Int64?, scopes: [String], agentId: String?, platformId: String?,
                    createdMs: Int64, expiresMs: Int64?, revokedMs: Int64?, lastUsedMs: Int64?) {
            self.id = id
            self.kind = kind
            self.name = name
            self.userId = userId
            self.scopes = scopes
            self.agentId = agentId
            self.platformId = platformId
            self.createdMs = createdMs
            self.expiresMs = expiresMs
            self.revokedMs = revokedMs
            self.lastUsedMs = lastUsedMs
        }
    }

    /// `POST /api/v1/tokens`.
    public struct TokenRequest: Codable, Sendable, Equatable {
        public var name: String
        /// `api` (default) or `enrollment`.
        public var kind: String?
        public var expiresInDays: Int?
        /// Narrower permissions than the creator's, if given.
        public var scopes: [String]?

        public init(name: String, kind: String?, expiresInDays: Int?, scopes: [String]?) {
            self.name = name
            self.kind = kind
            self.expiresInDays = expiresInDays
            self.scopes = scopes
        }
    }

    /// A token just created, with its secret (shown once).
    public struct CreatedToken: Codable, Sendable, Equatable {
        public var id: Int64
        public var kind: String
        public var name: String
        public var token: String
        public var scopes: [String]
        public var expiresMs: Int64?

        public init(id: Int64, kind: String, name: String, token: String, scopes: [String], expiresMs: Int64?) {
            self.id = id
            self.kind = kind
            self.name = name
            self.token = token
            self.scopes = scopes
            self.expiresMs = expiresMs
        }
    }

    /// A user of the tenant (`GET /api/v1/users`).
    public struct User: Codable, Sendable, Equatable {
        public var id: Int64
        public var username: String
        public var role: String
        public var createdMs: Int64
        public var disabledMs: Int64?

        public init(id: Int64, username: String, role: String, createdMs: Int64, disabledMs: Int64?) {
            self.id = id
            self.username = username
            self.role = role
            self.createdMs = createdMs
            self.disabledMs = disabledMs
        }
    }

    /// `POST /api/v1/users`.
    public struct UserRequest: Codable, Sendable, Equatable {
        public var username: String
        public var password: String
        public var role: String

        public init(username: String, password: String, role: String) {
            self.username = username
            self.password = password
            self.role = role
        }
    }

    /// `PATCH /api/v1/users/{id}`: any of a new role, a new password, disabled or enabled.
    public struct UserUpdate: Codable, Sendable, Equatable {
        public var role: String?
        public var password: String?
        public var disabled: Bool?

        public init(role: String? = nil, password: String? = nil, disabled: Bool? = nil) {
            self.role = role
            self.password = password
            self.disabled = disabled
        }
    }

    /// An enrolled agent (`GET /api/v1/agents`).
    public struct Agent: Codable, Sendable, Equatable {
        public var id: String
        public var platformId: String?
        public var lastSequence: Int64
        public var intervalMs: Int64
        public var lastSeenMs: Int64
        public var available: Bool
        public var revokedMs: Int64?

        public init(id: String, platformId: String?, lastSequence: Int64, intervalMs: Int64, lastSeenMs: Int64, available: Bool, revokedMs: Int64?) {
            self.id = id
            self.platformId = platformId
            self.lastSequence = lastSequence
            self.intervalMs = intervalMs
            self.lastSeenMs = lastSeenMs
            self.available = available
            self.revokedMs = revokedMs
        }
    }

    /// A record of the audit log (`GET /api/v1/audit`).
    public struct AuditRecord: Codable, Sendable, Equatable {
        public var id: Int64
        public var timeMs: Int64
        public var actor: String
        public var action: String
        public var target: String
        public var outcome: String
        public var detail: String
        public var remote: String

        public init(id: Int64, timeMs: Int64, actor: String, action: String, target: String, outcome: String, detail: String, remote: String) {
            self.id = id
            self.timeMs = timeMs
            self.actor = actor
            self.action = action
            self.target = target
            self.outcome = outcome
            self.detail = detail
            self.remote = remote
        }
    }

    /// Who the caller is (`GET /api/v1/whoami`).
    public struct WhoAmI: Codable, Sendable, Equatable {
        public var tenant: String
        public var name: String
        public var role: String?
        /// `password`, `session`, `token`, `agent`, …
        public var via: String
        public var permissions: [String]

        public init(tenant: String, name: String, role: String?, via: String, permissions: [String]) {
            self.tenant = tenant
            self.name = name
            self.role = role
            self.via = via
            self.permissions = permissions
        }
    }

    /// `POST /api/v1/sessions`.
    public struct LoginRequest: Codable, Sendable, Equatable {
        public var username: String
        public var password: String
        public var tenant: String?

        public init(username: String, password: String, tenant: String?) {
            self.username = username
            self.password = password
            self.tenant = tenant
        }
    }

    /// A session just opened: the CSRF token to send with each write.
    public struct Session: Codable, Sendable, Equatable {
        public var tenant: String
        public var username: String
        public var role: String?
        public var csrfToken: String
        public var expiresMs: Int64

        public init(tenant: String, username: String, role: String?, csrfToken: String, expiresMs: Int64) {
            self.tenant = tenant
            self.username = username
            self.role = role
            self.csrfToken = csrfToken
            self.expiresMs = expiresMs
        }
    }

    /// `DELETE /api/v1/sessions/current`.
    public struct LoggedOut: Codable, Sendable, Equatable {
        public var loggedOut: Bool
        public init(loggedOut: Bool) { self.loggedOut = loggedOut }
    }

    /// A tenant (`GET /api/v1/tenants`, provider only).
    public struct Tenant: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var createdMs: Int64

        public init(id: String, name: String, createdMs: Int64) {
            self.id = id
            self.name = name
            self.createdMs = createdMs
        }
    }

    /// `POST /api/v1/tenants`.
    public struct TenantRequest: Codable, Sendable, Equatable {
        public var id: String
        public var name: String?
        public var adminUsername: String?
        public var adminPassword: String?

        public init(id: String, name: String?, adminUsername: String?, adminPassword: String?) {
            self.id = id
            self.name = name
            self.adminUsername = adminUsername
            self.adminPassword = adminPassword
        }
    }

    /// A tenant just created, with its first admin (the generated password only when none was given).
    public struct CreatedTenant: Codable, Sendable, Equatable {
        public var id: String
        public var name: String
        public var adminUsername: String
        public var adminPassword: String?
        /// The login name to use: `user@tenant`.
        public var login: String

        public init(id: String, name: String, adminUsername: String, adminPassword: String?, login: String) {
            self.id = id
            self.name = name
            self.adminUsername = adminUsername
            self.adminPassword = adminPassword
            self.login = login
        }
    }

    /// `POST /api/v1/groups` and `PUT /api/v1/groups/{id}/members`.
    public struct GroupRequest: Codable, Sendable, Equatable {
        public var name: String?
        public var members: [String]

        public init(name: String?, members: [String]) {
            self.name = name
            self.members = members
        }
    }

    /// A user's role on a group of resources.
    public struct Grant: Codable, Sendable, Equatable {
        public var groupId: String
        public var role: String

        public init(groupId: String, role: String) {
            self.groupId = groupId
            self.role = role
        }
    }

    /// `PUT /api/v1/users/{id}/grants/{group}`.
    public struct GrantRequest: Codable, Sendable, Equatable {
        public var role: String
        public init(role: String) { self.role = role }
    }

    /// A grant removed.
    public struct RevokedGrant: Codable, Sendable, Equatable {
        public var groupId: String
        public var revoked: Bool

        public init(groupId: String, revoked: Bool = true) {
            self.groupId = groupId
            self.revoked = revoked
        }
    }

    /// What the caller may do on a resource, and through which grants (`GET /api/v1/resources/{id}/permissions`).
    public struct ResourcePermissions: Codable, Sendable, Equatable {
        public var resourceId: String
        public var permissions: [String]
        public var grants: [Grant]

        public init(resourceId: String, permissions: [String], grants: [Grant]) {
            self.resourceId = resourceId
            self.permissions = permissions
            self.grants = grants
        }
    }
}
