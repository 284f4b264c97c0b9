import GRDB
import StrataCore
import StrataInventory

/// What remote write says about its targets besides samples: metric families' types, and whether each target
/// answered its scrape (`up`).
extension SQLiteCatalog {
    public func recordMetricMetadata(tenantID: String, metadata: [MetricMetadata], nowMs: Int64) async throws {
        guard !metadata.isEmpty else { return }
        try await pool.write { db in
            for family in metadata {
                let stored = try String.fetchOne(db, sql: "SELECT type FROM metric_metadata WHERE tenant_id = ? AND family = ?",
                                                 arguments: [tenantID, family.family])
                try db.execute(sql: """
                    INSERT INTO metric_metadata (tenant_id, family, type, help, unit, updated_ms) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(tenant_id, family) DO UPDATE SET type = excluded.type, help = excluded.help, unit = excluded.unit,
                        updated_ms = excluded.updated_ms
                    """, arguments: [tenantID, family.family, family.type.name, family.help, family.unit, nowMs])
                guard stored != family.type.name else { continue }
                for name in SeriesTyping.seriesNames(family: family.family, type: family.type) {
                    try db.execute(sql: "UPDATE series SET type = ? WHERE tenant_id = ? AND metric = ?",
                                   arguments: [family.type.name, tenantID, name])
                }
            }
        }
    }

    public func metricMetadata(tenantID: String, family: String?, limit: Int?) async throws -> [MetricMetadata] {
        try await pool.read { db in
            var sql = "SELECT family, type, help, unit FROM metric_metadata WHERE tenant_id = ?"
            var arguments: StatementArguments = [tenantID]
            if let family {
                sql += " AND family = ?"
                arguments += [family]
            }
            sql += " ORDER BY family"
            if let limit {
                sql += " LIMIT ?"
                arguments += [max(0, limit)]
            }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                MetricMetadata(family: row["family"], type: MetricType(name: row["type"]) ?? .gauge, help: row["help"], unit: row["unit"])
            }
        }
    }

    public func applyUpReadings(tenantID: String, readings: [(target: ScrapeTarget, up: Bool?)], nowMs: Int64) async throws -> [EventRecord] {
        guard !readings.isEmpty else { return [] }
        return try await pool.write { db in
            var events: [EventRecord] = []
            for reading in readings {
                guard let owner = try Self.targetOwner(db, tenantID: tenantID, target: reading.target),
                      let row = try Row.fetchOne(db, sql: "SELECT id, kind, name, availability FROM resources WHERE id = ?", arguments: [owner]),
                      let kind = ResourceKind(rawValue: row["kind"]), kind == .server || kind == .source else { continue }
                let current = Availability(rawValue: row["availability"]) ?? .unknown
                let job = reading.target.job.map { " (job \($0))" } ?? ""
                let change: (Availability, InventoryEvent)?
                if let up = reading.up {
                    change = Liveness.scraped(resourceID: row["id"], kind: kind, name: row["name"], current: current, up: up, job: job)
                } else {
                    change = kind == .source ? Liveness.scrapeStale(resourceID: row["id"], name: row["name"], current: current, job: job) : nil
                }
                guard let (wanted, event) = change else { continue }
                try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [wanted.rawValue, nowMs, event.resourceID])
                events.append(try Self.insertEvent(db, tenantID: tenantID, event, timeMs: nowMs))
            }
            return events
        }
    }
}
