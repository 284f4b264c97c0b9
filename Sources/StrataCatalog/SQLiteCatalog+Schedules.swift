import GRDB

extension SQLiteCatalog {
    public func schedules(tenantID: String?) async throws -> [StoredBody] {
        try await pool.read { db in
            let sql = "SELECT tenant_id, id, body FROM schedules" + (tenantID == nil ? "" : " WHERE tenant_id = ?") + " ORDER BY tenant_id, name"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(tenantID.map { [$0] } ?? [])).map(Self.storedBody)
        }
    }

    public func schedule(tenantID: String, id: String) async throws -> StoredBody? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT tenant_id, id, body FROM schedules WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
                .map(Self.storedBody)
        }
    }

    public func updateSchedule(_ body: StoredBody, name: String, ifBodyIs expected: String) async throws -> ScheduleUpdate {
        try await pool.write { db in
            let current = try String.fetchOne(db, sql: "SELECT body FROM schedules WHERE tenant_id = ? AND id = ?", arguments: [body.tenantID, body.id])
            guard let current else { return .missing }
            guard current == expected else { return .changed }
            let holder = try String.fetchOne(db, sql: "SELECT id FROM schedules WHERE tenant_id = ? AND name = ?", arguments: [body.tenantID, name])
            guard holder == nil || holder == body.id else { return .nameTaken }
            try db.execute(sql: "UPDATE schedules SET name = ?, body = ? WHERE tenant_id = ? AND id = ?",
                           arguments: [name, body.bodyJSON, body.tenantID, body.id])
            return .updated
        }
    }

    public func saveSchedule(_ body: StoredBody, name: String) async throws -> Bool {
        try await pool.write { db in
            let holder = try String.fetchOne(db, sql: "SELECT id FROM schedules WHERE tenant_id = ? AND name = ?", arguments: [body.tenantID, name])
            guard holder == nil || holder == body.id else { return false }
            try db.execute(sql: """
                INSERT INTO schedules (tenant_id, id, name, body) VALUES (?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body
                """, arguments: [body.tenantID, body.id, name, body.bodyJSON])
            return true
        }
    }

    public func deleteSchedule(tenantID: String, id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM schedules WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
            return db.changesCount > 0
        }
    }

    public func saveGroupRun(_ body: StoredBody, createdMs: Int64, running: Bool) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO group_runs (tenant_id, id, created_ms, running, body) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET running = excluded.running, body = excluded.body
                """, arguments: [body.tenantID, body.id, createdMs, running, body.bodyJSON])
        }
    }

    public func groupRuns(tenantID: String, limit: Int) async throws -> [StoredBody] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT tenant_id, id, body FROM group_runs WHERE tenant_id = ? ORDER BY created_ms DESC, id LIMIT ?",
                             arguments: [tenantID, max(0, limit)]).map(Self.storedBody)
        }
    }

    public func groupRun(tenantID: String, id: String) async throws -> StoredBody? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT tenant_id, id, body FROM group_runs WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
                .map(Self.storedBody)
        }
    }

    public func runningGroupRuns() async throws -> [StoredBody] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT tenant_id, id, body FROM group_runs WHERE running").map(Self.storedBody)
        }
    }

    public func commands(ids: [String]) async throws -> [CommandRecord] {
        guard !ids.isEmpty else { return [] }
        return try await pool.read { db in
            var found: [CommandRecord] = []
            for start in stride(from: 0, to: ids.count, by: 500) {
                let chunk = Array(ids[start..<min(ids.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                found += try Row.fetchAll(db, sql: "SELECT * FROM commands WHERE id IN (\(marks))", arguments: StatementArguments(chunk))
                    .map(Self.commandRecord)
            }
            return found
        }
    }

    static func storedBody(_ row: Row) -> StoredBody {
        StoredBody(tenantID: row["tenant_id"], id: row["id"], bodyJSON: row["body"])
    }
}
