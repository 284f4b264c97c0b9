import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func saveCommand(_ command: CommandRecord, event: InventoryEvent) async throws -> [EventRecord] {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO commands (id, tenant_id, agent_id, resource_id, resource_kind, resource_key, action, parameters, state, requested_by,
                    created_ms, deadline_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [command.id, command.tenantID, command.agentID, command.resourceID, command.resourceKind.rawValue, command.resourceKey,
                                 command.action, command.parametersJSON, command.state, command.requestedBy, command.createdMs, command.deadlineMs,
                                 command.updatedMs])
            return [try Self.insertEvent(db, tenantID: command.tenantID, event, timeMs: command.createdMs)]
        }
    }

    public func command(tenantID: String, id: String) async throws -> CommandRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM commands WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]).map(Self.commandRecord)
        }
    }

    public func commands(tenantID: String, resourceID: String?, limit: Int) async throws -> [CommandRecord] {
        try await pool.read { db in
            let sql = "SELECT * FROM commands WHERE tenant_id = ?" + (resourceID == nil ? "" : " AND resource_id = ?")
                + " ORDER BY created_ms DESC, id LIMIT ?"
            let arguments: [(any DatabaseValueConvertible)?] = [tenantID] + (resourceID.map { [$0] } ?? []) + [max(1, min(limit, 10_000))]
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.commandRecord)
        }
    }

    public func takePendingCommands(agentID: String, nowMs: Int64, redeliverAfterMs: Int64) async throws -> [CommandRecord] {
        let handedOutBefore = nowMs.subtractingReportingOverflow(max(0, redeliverAfterMs)).partialValue
        return try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT * FROM commands WHERE agent_id = ? AND deadline_ms >= ?
                  AND (state = 'queued' OR (state = 'delivered' AND updated_ms <= ?)) ORDER BY created_ms, id LIMIT 100
                """, arguments: [agentID, nowMs, handedOutBefore]).map(Self.commandRecord)
            for row in rows {
                try db.execute(sql: "UPDATE commands SET state = 'delivered', updated_ms = ? WHERE id = ?", arguments: [nowMs, row.id])
            }
            return rows
        }
    }

    public func applyCommandReport(agentID: String, id: String, report: CommandReport, nowMs: Int64,
                                   allowed: @Sendable (_ from: String, _ to: String) -> Bool,
                                   event: @Sendable (CommandRecord) -> InventoryEvent?) async throws -> (record: CommandRecord, changed: Bool, events: [EventRecord])? {
        try await pool.write { db in
            guard var record = try Row.fetchOne(db, sql: "SELECT * FROM commands WHERE id = ? AND agent_id = ?", arguments: [id, agentID])
                .map(Self.commandRecord) else { return nil }
            guard allowed(record.state, report.state) else { return (record, false, []) }
            guard record.state != report.state else { return (record, false, []) }
            record.state = report.state
            record.updatedMs = nowMs
            record.exitStatus = report.exitStatus ?? record.exitStatus
            record.stdout = report.stdout ?? record.stdout
            record.stderr = report.stderr ?? record.stderr
            record.durationMs = report.durationMs ?? record.durationMs
            record.message = report.message ?? record.message
            try db.execute(sql: """
                UPDATE commands SET state = ?, updated_ms = ?, exit_status = ?, stdout = ?, stderr = ?, duration_ms = ?, message = ? WHERE id = ?
                """, arguments: [record.state, nowMs, record.exitStatus, record.stdout, record.stderr, record.durationMs, record.message, id])
            var events: [EventRecord] = []
            if let stored = event(record) { events.append(try Self.insertEvent(db, tenantID: record.tenantID, stored, timeMs: nowMs)) }
            return (record, true, events)
        }
    }

    public func expireCommands(nowMs: Int64, event: @Sendable (CommandRecord) -> InventoryEvent) async throws -> (records: [CommandRecord], events: [EventRecord]) {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM commands WHERE state IN ('queued', 'delivered') AND deadline_ms < ?", arguments: [nowMs])
                .map(Self.commandRecord)
            var events: [EventRecord] = []
            var expired: [CommandRecord] = []
            for var record in rows {
                record.state = "expired"
                record.updatedMs = nowMs
                record.message = "not started by its deadline"
                try db.execute(sql: "UPDATE commands SET state = 'expired', updated_ms = ?, message = ? WHERE id = ?", arguments: [nowMs, record.message, record.id])
                events.append(try Self.insertEvent(db, tenantID: record.tenantID, event(record), timeMs: nowMs))
                expired.append(record)
            }
            return (expired, events)
        }
    }

    public func agentID(platformID: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM agents WHERE platform_id = ? AND revoked_ms IS NULL ORDER BY last_seen_ms DESC LIMIT 1",
                                arguments: [platformID])
        }
    }

    public func agentCredentialHash(agentID: String, nowMs: Int64) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT token_hash FROM tokens WHERE agent_id = ? AND kind = 'agent' AND revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > ?)
                ORDER BY created_ms DESC, id DESC LIMIT 1
                """, arguments: [agentID, nowMs])
        }
    }

    static func commandRecord(_ row: Row) -> CommandRecord {
        CommandRecord(id: row["id"], tenantID: row["tenant_id"], agentID: row["agent_id"], resourceID: row["resource_id"],
                      resourceKind: ResourceKind(rawValue: row["resource_kind"]) ?? .platform, resourceKey: row["resource_key"], action: row["action"],
                      parametersJSON: row["parameters"], state: row["state"], requestedBy: row["requested_by"], createdMs: row["created_ms"],
                      deadlineMs: row["deadline_ms"], updatedMs: row["updated_ms"], exitStatus: row["exit_status"], stdout: row["stdout"],
                      stderr: row["stderr"], durationMs: row["duration_ms"], message: row["message"])
    }
}
