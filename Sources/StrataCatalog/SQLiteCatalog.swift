import GRDB
import Logging
import StrataCore
import StrataInventory

/// The embedded catalog: one SQLite file in WAL mode, opened once for the process's life.
///
/// `synchronous=FULL`: a committed transaction survives power loss, so an acknowledgement given after a
/// commit is honest.
public final class SQLiteCatalog: Catalog {
    let pool: DatabasePool

    /// Opens (creating and migrating) the catalog at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // Up to 4 readers and the writer each keep a page cache: 1 MiB each (SQLite's default is 2) keeps the
        // catalog's share of the server's memory small; its hot tables are far smaller.
        configuration.maximumReaderCount = 4
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -1024")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try CatalogMigrations.migrator.migrate(pool)
    }

    /// Names of the migrations applied, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try CatalogMigrations.migrator.appliedMigrations(db) }
    }

    public func bootstrap(adminPasswordHash: String, agentTokenHash: String, nowMs: Int64) async throws -> Bool {
        try await pool.write { db in
            let users = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users") ?? 0
            guard users == 0 else { return false }
            try db.execute(sql: "INSERT OR IGNORE INTO tenants (id, name, created_ms) VALUES (?, ?, ?)",
                           arguments: [defaultTenant, "Default", nowMs])
            try db.execute(sql: """
                INSERT INTO users (tenant_id, username, password_hash, role, created_ms) VALUES (?, 'admin', ?, 'admin', ?)
                """, arguments: [defaultTenant, adminPasswordHash, nowMs])
            try db.execute(sql: """
                INSERT INTO tokens (tenant_id, user_id, kind, name, token_hash, created_ms) VALUES (?, NULL, 'enrollment', 'bootstrap agent enrollment', ?, ?)
                """, arguments: [defaultTenant, agentTokenHash, nowMs])
            return true
        }
    }

    public func agent(id: String) async throws -> AgentRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM agents WHERE id = ?", arguments: [id]).map(Self.agentRecord)
        }
    }

    static func agentRecord(_ row: Row) -> AgentRecord {
        AgentRecord(id: row["id"], tenantID: row["tenant_id"], platformID: row["platform_id"],
                    lastSequence: UInt64(max(0, row["last_sequence"] as Int64)), intervalMs: row["interval_ms"],
                    lastSeenMs: row["last_seen_ms"], available: row["available"], revokedMs: row["revoked_ms"])
    }

    public func markOverdueAgents(nowMs: Int64, missedIntervals: Int64, notBeforeMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            var events: [EventRecord] = []
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM agents WHERE available = 1 AND interval_ms > 0 AND revoked_ms IS NULL")
            for agent in rows.map(Self.agentRecord) where Liveness.isOverdue(
                lastSeenMs: agent.lastSeenMs, intervalMs: agent.intervalMs, missedIntervals: missedIntervals, notBeforeMs: notBeforeMs, nowMs: nowMs) {
                try db.execute(sql: "UPDATE agents SET available = 0 WHERE id = ?", arguments: [agent.id])
                guard let platformID = agent.platformID else { continue }
                try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?",
                               arguments: [Availability.down.rawValue, nowMs, platformID])
                let name = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [platformID]) ?? platformID
                let event = Liveness.agentOverdue(platformID: platformID, name: name, missedIntervals: missedIntervals, intervalMs: agent.intervalMs)
                events.append(try Self.insertEvent(db, tenantID: agent.tenantID, event, timeMs: nowMs))
                // What the silent agent reported is no longer known to run.
                for row in try Row.fetchAll(db, sql: "SELECT id, kind, name, availability FROM resources WHERE platform_id = ? AND id != ?",
                                            arguments: [platformID, platformID]) {
                    guard let kind = ResourceKind(rawValue: row["kind"]),
                          let (wanted, silenced) = Liveness.silenced(resourceID: row["id"], kind: kind, name: row["name"],
                                                                     current: Availability(rawValue: row["availability"]) ?? .unknown,
                                                                     platformName: name) else { continue }
                    try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?",
                                   arguments: [wanted.rawValue, nowMs, silenced.resourceID])
                    events.append(try Self.insertEvent(db, tenantID: agent.tenantID, silenced, timeMs: nowMs))
                }
            }
            return events
        }
    }

    /// Stores an event the inventory decided on.
    static func insertEvent(_ db: Database, tenantID: String, _ event: InventoryEvent, timeMs: Int64, source: String? = nil) throws -> EventRecord {
        try insertEvent(db, tenantID: tenantID, resourceID: event.resourceID, timeMs: timeMs, kind: event.kind, severity: event.severity,
                        message: event.message, source: source)
    }

    static func insertEvent(_ db: Database, tenantID: String, resourceID: String?, timeMs: Int64, kind: EventKind,
                            severity: EventSeverity, message: String, source: String? = nil) throws -> EventRecord {
        try db.execute(sql: """
            INSERT INTO events (tenant_id, resource_id, time_ms, kind, severity, message, source) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [tenantID, resourceID, timeMs, kind.rawValue, severity.name, message, source])
        return EventRecord(id: db.lastInsertedRowID, tenantID: tenantID, resourceID: resourceID, timeMs: timeMs,
                           kind: kind, severity: severity, message: message, source: source)
    }
}
