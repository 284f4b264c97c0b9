import GRDB
import StrataCore
import StrataInventory

/// Log events agents observed and configuration versions: stored in the batch's transaction.
extension SQLiteCatalog {
    /// Stores observed events; one whose (resource, origin) is stored already (a resend) is skipped.
    /// Returns the events stored.
    static func recordObserved(_ db: Database, tenantID: String, events: [(resourceID: String, event: AgentEvent)]) throws -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        var stored: [EventRecord] = []
        let statement = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO events (tenant_id, resource_id, time_ms, kind, severity, message, origin, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (resourceID, event) in events {
            try statement.execute(arguments: [tenantID, resourceID, event.timeMs, event.kind, event.severity.name, event.message,
                                              event.origin, event.source])
            guard db.changesCount > 0 else { continue }
            stored.append(EventRecord(id: db.lastInsertedRowID, tenantID: tenantID, resourceID: resourceID, timeMs: event.timeMs,
                                      kind: EventKind(rawValue: event.kind), severity: event.severity, message: event.message, source: event.source))
        }
        return stored
    }

    /// Stores each configuration whose content differs from the file's latest version as the next version,
    /// with a `config-change` event carrying the unified diff (none for a file's first version).
    static func recordConfigs(_ db: Database, tenantID: String,
                              configs: [(resourceID: String, resourceName: String, snapshot: ConfigSnapshot)]) throws -> [EventRecord] {
        var events: [EventRecord] = []
        for (resourceID, resourceName, config) in configs {
            let state = config.state.name
            let hash = Self.contentHash(state, config.content)
            let latest = try Row.fetchOne(db, sql: """
                SELECT version, state, content, hash FROM config_versions
                WHERE tenant_id = ? AND resource_id = ? AND path = ? ORDER BY version DESC LIMIT 1
                """, arguments: [tenantID, resourceID, config.path])
            if let latest, latest["hash"] as String == hash { continue }
            let version = (latest?["version"] as Int64? ?? 0) + 1
            let oldPresent = latest?["state"] as String? == "present"
            let oldText = oldPresent ? latest?["content"] as String? ?? "" : ""
            let newText = config.state == .present ? config.content : ""
            let counts = UnifiedDiff.counts(old: oldText, new: newText)
            try db.execute(sql: """
                INSERT INTO config_versions (tenant_id, resource_id, path, version, state, content, hash, observed_ms, added, removed)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [tenantID, resourceID, config.path, version, state, config.content, hash,
                                 config.observedMs, counts.added, counts.removed])
            guard latest != nil else { continue }
            let summary: String
            switch config.state {
            case .deleted: summary = "\(config.path) of \(resourceName) was deleted (version \(version))"
            case .untracked: summary = "\(config.path) of \(resourceName) is no longer tracked: \(config.content) (version \(version))"
            case .present:
                summary = oldPresent
                    ? "\(config.path) of \(resourceName) changed (version \(version), +\(counts.added) -\(counts.removed) lines)"
                    : "\(config.path) of \(resourceName) appeared (version \(version), \(counts.added) lines)"
            }
            let diff = ConfigVersionRecord.diff(path: config.path, old: oldText, oldVersion: version - 1, new: newText, newVersion: version)
            events.append(try insertEvent(db, tenantID: tenantID, resourceID: resourceID, timeMs: config.observedMs, kind: .configChange,
                                          severity: .info, message: diff.isEmpty ? summary : summary + "\n" + diff, source: config.path))
        }
        return events
    }

    public func configFiles(tenantID: String, resourceID: String) async throws -> [ConfigVersionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT v.* FROM config_versions v
                JOIN (SELECT path, MAX(version) AS version FROM config_versions WHERE tenant_id = ? AND resource_id = ? GROUP BY path) latest
                  ON latest.path = v.path AND latest.version = v.version
                WHERE v.tenant_id = ? AND v.resource_id = ? ORDER BY v.path
                """, arguments: [tenantID, resourceID, tenantID, resourceID]).map { Self.configRecord($0, content: false) }
        }
    }

    public func configVersions(tenantID: String, resourceID: String, path: String) async throws -> [ConfigVersionRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM config_versions WHERE tenant_id = ? AND resource_id = ? AND path = ? ORDER BY version DESC
                """, arguments: [tenantID, resourceID, path]).map { Self.configRecord($0, content: false) }
        }
    }

    public func configVersion(tenantID: String, resourceID: String, path: String, version: Int64?) async throws -> ConfigVersionRecord? {
        try await pool.read { db in
            var sql = "SELECT * FROM config_versions WHERE tenant_id = ? AND resource_id = ? AND path = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID, resourceID, path]
            if let version { sql += " AND version = ?"; arguments.append(version) }
            sql += " ORDER BY version DESC LIMIT 1"
            return try Row.fetchOne(db, sql: sql, arguments: StatementArguments(arguments)).map { Self.configRecord($0, content: true) }
        }
    }

    static func configRecord(_ row: Row, content: Bool) -> ConfigVersionRecord {
        ConfigVersionRecord(resourceID: row["resource_id"], path: row["path"], version: row["version"], state: row["state"],
                            observedMs: row["observed_ms"], added: row["added"], removed: row["removed"], hash: row["hash"],
                            content: content ? row["content"] : nil)
    }

    /// A stable hash of a version's state and content (FNV-1a 64, hex): equal content, equal hash.
    static func contentHash(_ state: String, _ content: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in state.utf8 + [0] + content.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
