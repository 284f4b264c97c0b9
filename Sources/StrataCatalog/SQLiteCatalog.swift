import GRDB
import Logging
import StrataCore

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

    public func record(batch: BatchRecord) async throws -> [EventRecord] {
        try await pool.write { db in
            var events: [EventRecord] = []
            let now = batch.receivedMs
            var vms: [(id: String, name: String, hypervisorID: String)] = []
            var newVMs: [String] = []
            for resource in batch.resources {
                if resource.kind == .vm, let hypervisor = resource.parentID {
                    // One UUID under two hypervisors at once is a clone (or a split brain), not a move: keep the first.
                    if let first = vms.first(where: { $0.id == resource.id }) {
                        if first.hypervisorID != hypervisor {
                            events += try Self.ambiguity(db, tenantID: batch.tenantID, resourceID: resource.id,
                                                         message: Self.cloneMessage(uuid: String(resource.naturalKey.dropFirst(3)),
                                                                                    hypervisors: [first.hypervisorID, hypervisor]),
                                                         nowMs: now)
                        }
                        continue
                    }
                    vms.append((resource.id, resource.name, hypervisor))
                }
                let platformID = resource.kind == .platform ? resource.id : batch.platformID
                let existing = try Row.fetchOne(db, sql: "SELECT platform_id, properties FROM resources WHERE id = ?", arguments: [resource.id])
                let exists = existing != nil
                if let owner = existing?["platform_id"] as String?, owner != platformID, resource.kind != .vm {
                    throw CatalogError.foreignResource(id: resource.id, platformID: owner)
                }
                try db.execute(sql: """
                    INSERT INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, created_ms, updated_ms, platform_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'up', ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET name = excluded.name,
                        parent_id = CASE WHEN resources.kind IN ('platform', 'vm') THEN resources.parent_id ELSE excluded.parent_id END,
                        properties = CASE WHEN ? THEN excluded.properties ELSE resources.properties END,
                        updated_ms = excluded.updated_ms, platform_id = excluded.platform_id
                    """, arguments: [resource.id, batch.tenantID, resource.kind.rawValue, resource.naturalKey, resource.name,
                                     resource.parentID, resource.propertiesJSON ?? "{}", now, now, platformID,
                                     resource.propertiesJSON != nil])
                if !exists {
                    if resource.kind == .vm { newVMs.append(resource.id) }
                    events.append(try Self.insertEvent(db, tenantID: batch.tenantID, resourceID: resource.id, timeMs: now,
                                                       kind: "discovered", severity: "info",
                                                       message: "\(resource.kind.rawValue) \(resource.name) discovered"))
                    events += try Self.admit(db, tenantID: batch.tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name,
                                             change: "new", summary: "\(resource.kind.rawValue) \(resource.name) discovered", nowMs: now)
                } else if let new = resource.propertiesJSON, let old = existing?["properties"] as String?, old != new,
                          case let changes = try Self.propertyChanges(db, old: old, new: new), !changes.isEmpty {
                    events.append(try Self.insertEvent(db, tenantID: batch.tenantID, resourceID: resource.id, timeMs: now,
                                                       kind: "changed", severity: "info",
                                                       message: "\(resource.kind.rawValue) \(resource.name) changed: \(changes.joined(separator: "; "))"))
                    events += try Self.admit(db, tenantID: batch.tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name,
                                             change: "changed", summary: changes.joined(separator: "; "), nowMs: now)
                }
            }
            events += try Self.recordPlacements(db, batch: batch, vms: vms)
            events += try Self.matchGuests(db, tenantID: batch.tenantID,
                                           platformIDs: batch.resources.filter { $0.kind == .platform && $0.propertiesJSON != nil }.map(\.id),
                                           newVMIDs: newVMs, nowMs: now)
            for resource in batch.resources where resource.kind == .server {
                guard let properties = resource.propertiesJSON else { continue }
                events += try Self.updateRelations(db, tenantID: batch.tenantID, sourceID: resource.id, sourceName: resource.name,
                                                   platformID: batch.platformID, propertiesJSON: properties, nowMs: now)
            }
            events += try Self.recordObserved(db, tenantID: batch.tenantID, events: batch.events)
            events += try Self.recordConfigs(db, tenantID: batch.tenantID, configs: batch.configs)
            for series in batch.series {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO series (id, tenant_id, resource_id, metric, type, labels, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [series.id.int64, series.tenantID, series.resourceID, series.metric,
                                     series.type == .counter ? "counter" : "gauge", LabelsJSON.encode(series.labels), now])
            }
            let previous = try Row.fetchOne(db, sql: "SELECT available, platform_id FROM agents WHERE id = ?", arguments: [batch.agentID])
            try db.execute(sql: """
                INSERT INTO agents (id, tenant_id, platform_id, last_sequence, interval_ms, version, first_seen_ms, last_seen_ms, available)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
                ON CONFLICT(id) DO UPDATE SET platform_id = COALESCE(excluded.platform_id, agents.platform_id),
                    last_sequence = MAX(agents.last_sequence, excluded.last_sequence), interval_ms = excluded.interval_ms,
                    version = excluded.version, last_seen_ms = excluded.last_seen_ms, available = 1
                """, arguments: [batch.agentID, batch.tenantID, batch.platformID, Int64(batch.sequence), batch.intervalMs,
                                 batch.agentVersion, now, now])
            let platformID = batch.platformID ?? (previous?["platform_id"] as String?)
            if let previous, previous["available"] == false, let platformID {
                try db.execute(sql: "UPDATE resources SET availability = 'up', updated_ms = ? WHERE id = ?", arguments: [now, platformID])
                let name = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [platformID]) ?? platformID
                events.append(try Self.insertEvent(db, tenantID: batch.tenantID, resourceID: platformID, timeMs: now,
                                                   kind: "availability", severity: "info",
                                                   message: "platform \(name) is up: its agent reports again"))
            }
            return events
        }
    }

    public func setAvailability(tenantID: String, resourceID: String, up: Bool, reason: String, nowMs: Int64) async throws -> EventRecord? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, name, availability FROM resources WHERE tenant_id = ? AND id = ?",
                                             arguments: [tenantID, resourceID]) else { return nil }
            let wanted = up ? "up" : "down"
            guard row["availability"] != wanted else { return nil }
            try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [wanted, nowMs, resourceID])
            let kind: String = row["kind"]
            let name: String = row["name"]
            return try Self.insertEvent(db, tenantID: tenantID, resourceID: resourceID, timeMs: nowMs, kind: "availability",
                                        severity: up ? "info" : "warning", message: "\(kind) \(name) is \(wanted): \(reason)")
        }
    }

    public func markOverdueAgents(nowMs: Int64, missedIntervals: Int64, notBeforeMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            var events: [EventRecord] = []
            // Enrolled agents that never sent a batch have no interval yet and cannot be overdue.
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM agents WHERE available = 1 AND interval_ms > 0 AND revoked_ms IS NULL")
            for agent in rows.map(Self.agentRecord) {
                let deadline = max(agent.lastSeenMs, notBeforeMs) + missedIntervals * agent.intervalMs
                guard nowMs > deadline else { continue }
                try db.execute(sql: "UPDATE agents SET available = 0 WHERE id = ?", arguments: [agent.id])
                guard let platformID = agent.platformID else { continue }
                try db.execute(sql: "UPDATE resources SET availability = 'down', updated_ms = ? WHERE id = ?", arguments: [nowMs, platformID])
                let name = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [platformID]) ?? platformID
                events.append(try Self.insertEvent(db, tenantID: agent.tenantID, resourceID: platformID, timeMs: nowMs,
                                                   kind: "availability", severity: "warning",
                                                   message: "platform \(name) is down: its agent missed \(missedIntervals) intervals of \(agent.intervalMs) ms"))
            }
            return events
        }
    }

    static func insertEvent(_ db: Database, tenantID: String, resourceID: String?, timeMs: Int64, kind: String,
                            severity: String, message: String, source: String? = nil) throws -> EventRecord {
        try db.execute(sql: """
            INSERT INTO events (tenant_id, resource_id, time_ms, kind, severity, message, source) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [tenantID, resourceID, timeMs, kind, severity, message, source])
        return EventRecord(id: db.lastInsertedRowID, tenantID: tenantID, resourceID: resourceID, timeMs: timeMs,
                           kind: kind, severity: severity, message: message, source: source)
    }
}
