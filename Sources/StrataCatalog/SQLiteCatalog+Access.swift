import GRDB
import StrataCore

extension SQLiteCatalog {
    public func tenants() async throws -> [TenantRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name, created_ms FROM tenants ORDER BY id").map {
                TenantRecord(id: $0["id"], name: $0["name"], createdMs: $0["created_ms"])
            }
        }
    }

    public func createTenant(id: String, name: String, adminUsername: String, adminPasswordHash: String,
                             nowMs: Int64) async throws -> TenantRecord {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tenants WHERE id = ?", arguments: [id]) == nil else {
                throw AccessError.exists("tenant \(id)")
            }
            try db.execute(sql: "INSERT INTO tenants (id, name, created_ms) VALUES (?, ?, ?)", arguments: [id, name, nowMs])
            try db.execute(sql: """
                INSERT INTO users (tenant_id, username, password_hash, role, created_ms) VALUES (?, ?, ?, 'admin', ?)
                """, arguments: [id, adminUsername, adminPasswordHash, nowMs])
            return TenantRecord(id: id, name: name, createdMs: nowMs)
        }
    }

    public func user(named username: String, tenantID: String) async throws -> (id: Int64, passwordHash: String, role: Role)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT id, password_hash, role FROM users WHERE tenant_id = ? AND username = ? AND disabled_ms IS NULL
                """, arguments: [tenantID, username]), let role = Role(rawValue: row["role"]) else { return nil }
            return (row["id"], row["password_hash"], role)
        }
    }

    public func users(tenantID: String) async throws -> [UserRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users WHERE tenant_id = ? ORDER BY username", arguments: [tenantID])
                .map(Self.userRecord)
        }
    }

    static func userRecord(_ row: Row) -> UserRecord {
        UserRecord(id: row["id"], tenantID: row["tenant_id"], username: row["username"],
                   role: Role(rawValue: row["role"]) ?? .viewer, createdMs: row["created_ms"], disabledMs: row["disabled_ms"])
    }

    public func createUser(tenantID: String, username: String, passwordHash: String, role: Role, nowMs: Int64) async throws -> UserRecord {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE tenant_id = ? AND username = ?",
                                    arguments: [tenantID, username]) == nil else {
                throw AccessError.exists("user \(username)")
            }
            try db.execute(sql: """
                INSERT INTO users (tenant_id, username, password_hash, role, created_ms) VALUES (?, ?, ?, ?, ?)
                """, arguments: [tenantID, username, passwordHash, role.rawValue, nowMs])
            return UserRecord(id: db.lastInsertedRowID, tenantID: tenantID, username: username, role: role,
                              createdMs: nowMs, disabledMs: nil)
        }
    }

    public func updateUser(tenantID: String, id: Int64, role: Role?, passwordHash: String?, disabled: Bool?,
                           nowMs: Int64) async throws -> UserRecord? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) != nil else {
                return nil
            }
            if let role {
                try db.execute(sql: "UPDATE users SET role = ? WHERE id = ?", arguments: [role.rawValue, id])
            }
            if let passwordHash {
                try db.execute(sql: "UPDATE users SET password_hash = ? WHERE id = ?", arguments: [passwordHash, id])
            }
            if let disabled {
                try db.execute(sql: "UPDATE users SET disabled_ms = ? WHERE id = ?", arguments: [disabled ? nowMs : nil, id])
            }
            if passwordHash != nil || disabled == true {
                try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE user_id = ? AND revoked_ms IS NULL", arguments: [nowMs, id])
            }
            return try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]).map(Self.userRecord)
        }
    }

    public func credential(tokenHash: String, kinds: Set<TokenKind>, nowMs: Int64) async throws -> CredentialMatch? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT t.*, u.role, u.username, u.disabled_ms AS user_disabled_ms, a.revoked_ms AS agent_revoked_ms
                FROM tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN agents a ON a.id = t.agent_id
                WHERE t.token_hash = ? AND \(Self.liveToken("t."))
                """, arguments: [tokenHash, nowMs]),
                let kind = TokenKind(rawValue: row["kind"]), kinds.contains(kind) else { return nil }
            let userDisabled: Int64? = row["user_disabled_ms"]
            let agentRevoked: Int64? = row["agent_revoked_ms"]
            guard userDisabled == nil, agentRevoked == nil else { return nil }
            let principalKind: PrincipalKind
            var role: Role?
            var name: String = row["name"]
            switch kind {
            case .api:
                principalKind = .apiToken
                role = (row["role"] as String?).flatMap(Role.init(rawValue:))
                guard role != nil else { return nil }
            case .session:
                principalKind = .session
                role = (row["role"] as String?).flatMap(Role.init(rawValue:))
                guard role != nil else { return nil }
                name = row["username"]
            case .enrollment: principalKind = .enrollment
            case .agent, .certificate: principalKind = .agent
            }
            let principal = Principal(tenantID: row["tenant_id"], userID: row["user_id"], name: name, role: role, kind: principalKind,
                                      tokenID: row["id"], scopes: ScopeText.decode(row["scopes"]), agentID: row["agent_id"],
                                      platformID: row["platform_id"], expiresMs: row["expires_ms"])
            return CredentialMatch(principal: principal, csrfHash: row["csrf_hash"])
        }
    }

    public func credentialStands(_ principal: Principal, passwordHash: String?, nowMs: Int64) async throws -> Bool {
        try await pool.read { db in
            if let tokenID = principal.tokenID {
                return try Bool.fetchOne(db, sql: """
                    SELECT 1 FROM tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN agents a ON a.id = t.agent_id
                    WHERE t.id = ? AND t.tenant_id = ? AND \(Self.liveToken("t."))
                      AND u.disabled_ms IS NULL AND a.revoked_ms IS NULL
                    """, arguments: [tokenID, principal.tenantID, nowMs]) != nil
            }
            guard let userID = principal.userID,
                  let row = try Row.fetchOne(db, sql: "SELECT password_hash FROM users WHERE id = ? AND tenant_id = ? AND disabled_ms IS NULL",
                                             arguments: [userID, principal.tenantID]) else { return false }
            return passwordHash == nil || row["password_hash"] == passwordHash
        }
    }

    public func createToken(_ token: NewToken, nowMs: Int64) async throws -> Int64 {
        try await pool.write { db in
            try Self.insertToken(db, token, nowMs: nowMs)
        }
    }

    static func insertToken(_ db: Database, _ token: NewToken, nowMs: Int64) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO tokens (tenant_id, user_id, kind, name, token_hash, created_ms, expires_ms, scopes, agent_id, platform_id, csrf_hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [token.tenantID, token.userID, token.kind.rawValue, token.name, token.tokenHash, nowMs, token.expiresMs,
                             ScopeText.encode(token.scopes), token.agentID, token.platformID, token.csrfHash])
        return db.lastInsertedRowID
    }

    public func tokens(tenantID: String, kinds: Set<TokenKind>, userID: Int64?) async throws -> [TokenRecord] {
        try await pool.read { db in
            let kindList = kinds.map { "'\($0.rawValue)'" }.sorted().joined(separator: ",")
            var sql = "SELECT * FROM tokens WHERE tenant_id = ? AND kind IN (\(kindList))"
            var arguments: StatementArguments = [tenantID]
            if let userID {
                sql += " AND user_id = ?"
                arguments += [userID]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY id DESC LIMIT 10000", arguments: arguments).compactMap(Self.tokenRecord)
        }
    }

    static func tokenRecord(_ row: Row) -> TokenRecord? {
        guard let kind = TokenKind(rawValue: row["kind"]) else { return nil }
        return TokenRecord(id: row["id"], tenantID: row["tenant_id"], userID: row["user_id"], kind: kind, name: row["name"],
                           scopes: ScopeText.decode(row["scopes"]), agentID: row["agent_id"], platformID: row["platform_id"],
                           createdMs: row["created_ms"], expiresMs: row["expires_ms"], revokedMs: row["revoked_ms"],
                           lastUsedMs: row["last_used_ms"])
    }

    public func revokeToken(tenantID: String, id: Int64, userID: Int64?, nowMs: Int64) async throws -> TokenRecord? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]),
                  userID == nil || row["user_id"] == userID else { return nil }
            try db.execute(sql: "UPDATE tokens SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?", arguments: [nowMs, id])
            return try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE id = ?", arguments: [id]).flatMap(Self.tokenRecord)
        }
    }

    public func touchToken(id: Int64, nowMs: Int64) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE tokens SET last_used_ms = ? WHERE id = ?", arguments: [nowMs, id])
        }
    }

    public func enrollAgent(tenantID: String, agentID: String, platformID: String, tokenHash: String, holderCredentialHash: String?,
                            nowMs: Int64) async throws -> Int64 {
        // A refusal that queued a request is returned, not thrown, so the request commits.
        let outcome: Result<Int64, EnrollmentError> = try await pool.write { db in
            if let refusal = try Self.checkPlatformHolder(db, tenantID: tenantID, agentID: agentID, platformID: platformID,
                                                          holderCredentialHash: holderCredentialHash, nowMs: nowMs) {
                return .failure(refusal)
            }
            if let row = try Row.fetchOne(db, sql: "SELECT tenant_id, revoked_ms FROM agents WHERE id = ?", arguments: [agentID]) {
                guard row["tenant_id"] == tenantID else { throw EnrollmentError.foreignAgent(agentID) }
                guard (row["revoked_ms"] as Int64?) == nil else { throw EnrollmentError.agentRevoked(agentID) }
                try db.execute(sql: "UPDATE agents SET platform_id = ? WHERE id = ?", arguments: [platformID, agentID])
            } else {
                try db.execute(sql: """
                    INSERT INTO agents (id, tenant_id, platform_id, last_sequence, interval_ms, version, first_seen_ms, last_seen_ms, available)
                    VALUES (?, ?, ?, 0, 0, '', ?, ?, 1)
                    """, arguments: [agentID, tenantID, platformID, nowMs, nowMs])
            }
            try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE agent_id = ? AND kind IN ('agent', 'certificate') AND revoked_ms IS NULL",
                           arguments: [nowMs, agentID])
            return .success(try Self.insertToken(db, NewToken(tenantID: tenantID, userID: nil, kind: .agent, name: "agent \(agentID)",
                                                              tokenHash: tokenHash, agentID: agentID, platformID: platformID), nowMs: nowMs))
        }
        return try outcome.get()
    }

    /// Lets `agentID` bind `platformID` only if nobody else holds that binding: no other live agent reports the
    /// platform, and this agent id has no live credential (a working agent never enrolls again, so one that does
    /// while its credential works is someone else using its id). Otherwise the live credential of the agent in
    /// the way must be presented, or an admin must approve: the first refusal queues an `enrollment` discovery,
    /// later ones return its state. When allowed, the agent in the way is unbound and its credentials revoked.
    /// A platform none of whose agents has delivered a batch (no platform row yet) is bound to nobody.
    static func checkPlatformHolder(_ db: Database, tenantID: String, agentID: String, platformID: String,
                                    holderCredentialHash: String?, nowMs: Int64) throws -> EnrollmentError? {
        guard let platform = try Row.fetchOne(db, sql: "SELECT name FROM resources WHERE tenant_id = ? AND id = ?",
                                              arguments: [tenantID, platformID]) else { return nil }
        let other = try String.fetchOne(db, sql: """
            SELECT id FROM agents WHERE tenant_id = ? AND platform_id = ? AND id != ? AND revoked_ms IS NULL
            """, arguments: [tenantID, platformID, agentID])
        let liveCredentials = "agent_id = ? AND kind IN ('agent', 'certificate') AND \(liveToken(""))"
        let selfIsLive = try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE \(liveCredentials)", arguments: [agentID, nowMs]) != nil
        guard let holder = other ?? (selfIsLive ? agentID : nil) else { return nil }
        let presented = try holderCredentialHash.map { hash in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM tokens WHERE token_hash = ? AND \(liveCredentials)",
                              arguments: [hash, holder, nowMs]) != nil
        } ?? false
        if !presented {
            let request = try Row.fetchOne(db, sql: """
                SELECT id, status FROM discoveries WHERE tenant_id = ? AND resource_id = ? AND change = 'enrollment' AND agent_id = ?
                ORDER BY id DESC LIMIT 1
                """, arguments: [tenantID, platformID, agentID])
            switch request?["status"] as String? {
            case "approved": break
            case "ignored": return .refusedByAdmin(agentID)
            case .some: return .awaitingApproval(discoveryID: request!["id"])
            case nil:
                let name: String = platform["name"]
                let summary = holder == agentID
                    ? "agent \(agentID) asks to enroll again for platform \(name) while its credential still works; approving revokes that credential"
                    : "agent \(agentID) asks to report platform \(name), which agent \(holder) reports; approving moves the platform to it and revokes \(holder)'s credentials"
                try db.execute(sql: """
                    INSERT INTO discoveries (tenant_id, resource_id, change, summary, status, created_ms, agent_id)
                    VALUES (?, ?, 'enrollment', ?, 'pending', ?, ?)
                    """, arguments: [tenantID, platformID, summary, nowMs, agentID])
                return .awaitingApproval(discoveryID: db.lastInsertedRowID)
            }
        }
        // The agent's own earlier credentials are revoked by the enrollment itself; another holder's here.
        if holder != agentID {
            try db.execute(sql: "UPDATE agents SET platform_id = NULL WHERE id = ?", arguments: [holder])
            try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE agent_id = ? AND revoked_ms IS NULL", arguments: [nowMs, holder])
        }
        return nil
    }

    /// SQL: a token row (columns prefixed with `prefix`, e.g. `t.`) is unrevoked and unexpired at the `?` bound
    /// after it (now, in Unix ms).
    static func liveToken(_ prefix: String) -> String {
        "(\(prefix)revoked_ms IS NULL AND (\(prefix)expires_ms IS NULL OR \(prefix)expires_ms > ?))"
    }

    public func agents(tenantID: String) async throws -> [AgentRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM agents WHERE tenant_id = ? ORDER BY id", arguments: [tenantID]).map(Self.agentRecord)
        }
    }

    public func revokeAgent(tenantID: String, id: String, nowMs: Int64) async throws -> Bool {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM agents WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) != nil else {
                return false
            }
            try db.execute(sql: "UPDATE agents SET revoked_ms = COALESCE(revoked_ms, ?) WHERE id = ?", arguments: [nowMs, id])
            try db.execute(sql: "UPDATE tokens SET revoked_ms = ? WHERE agent_id = ? AND revoked_ms IS NULL", arguments: [nowMs, id])
            return true
        }
    }

    public func appendAudit(_ records: [AuditRecord]) async throws {
        guard !records.isEmpty else { return }
        try await pool.write { db in
            for record in records {
                try db.execute(sql: """
                    INSERT INTO audit (tenant_id, time_ms, actor, action, target, outcome, detail, remote) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [record.tenantID, record.timeMs, record.actor, record.action, record.target, record.outcome,
                                     record.detail, record.remote])
            }
        }
    }

    public func audit(tenantID: String, query: AuditQuery) async throws -> [AuditRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM audit WHERE tenant_id = ?"
            var arguments: StatementArguments = [tenantID]
            if let action = query.action {
                if action.hasSuffix(".") {
                    sql += " AND substr(action, 1, ?) = ?"
                    arguments += [action.count, action]
                } else {
                    sql += " AND action = ?"
                    arguments += [action]
                }
            }
            if let actor = query.actor {
                sql += " AND actor = ?"
                arguments += [actor]
            }
            if let since = query.sinceMs {
                sql += " AND time_ms >= ?"
                arguments += [since]
            }
            if let before = query.beforeID {
                sql += " AND id < ?"
                arguments += [before]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [query.limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map {
                AuditRecord(id: $0["id"], tenantID: $0["tenant_id"], timeMs: $0["time_ms"], actor: $0["actor"], action: $0["action"],
                            target: $0["target"], outcome: $0["outcome"], detail: $0["detail"], remote: $0["remote"])
            }
        }
    }
}
