import Foundation
import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func resourcePlatforms(tenantID: String, ids: [String]) async throws -> [String: String] {
        try await pool.read { db in
            var owners: [String: String] = [:]
            for id in ids {
                if let owner = try String.fetchOne(db, sql: "SELECT platform_id FROM resources WHERE tenant_id = ? AND id = ?",
                                                   arguments: [tenantID, id]) {
                    owners[id] = owner
                }
            }
            return owners
        }
    }

    public func resources(tenantID: String, query: ResourceQuery) async throws -> [ResourceRecord] {
        try await pool.read { db in
            var (sql, arguments) = Self.resourceFilter(tenantID: tenantID, query: query, columns: "*")
            sql += " ORDER BY kind, name, id LIMIT ? OFFSET ?"
            _ = arguments.append(contentsOf: [max(0, query.limit), max(0, query.offset)])
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap(Self.resourceRecord)
        }
    }

    public func resourceCount(tenantID: String, query: ResourceQuery) async throws -> Int {
        try await pool.read { db in
            let (sql, arguments) = Self.resourceFilter(tenantID: tenantID, query: query, columns: "count(*)")
            return try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
        }
    }

    public func inventorySummary(tenantID: String) async throws -> [InventoryCount] {
        try await pool.read { db in
            let sql = """
                SELECT CASE WHEN r.kind = 'platform' THEN (CASE WHEN p.kind = 'vm' THEN 'guest' ELSE 'host' END) ELSE r.kind END AS k,
                       r.availability AS a, count(*) AS n
                FROM resources r LEFT JOIN resources p ON p.tenant_id = r.tenant_id AND p.id = r.parent_id
                WHERE r.tenant_id = ? AND r.removed_ms IS NULL AND r.approval = 'approved'
                GROUP BY k, a ORDER BY k, a
                """
            return try Row.fetchAll(db, sql: sql, arguments: [tenantID]).compactMap { row in
                Availability(rawValue: row["a"] ?? "").map { InventoryCount(kind: row["k"], availability: $0, count: row["n"]) }
            }
        }
    }

    /// The `SELECT columns FROM resources WHERE …` of `query`, without order or limit.
    static func resourceFilter(tenantID: String, query: ResourceQuery, columns: String) -> (String, StatementArguments) {
        var sql = "SELECT \(columns) FROM resources WHERE tenant_id = ? AND removed_ms IS NULL"
        var arguments: StatementArguments = [tenantID]
        if let kind = query.kind {
            sql += " AND kind = ?"
            _ = arguments.append(contentsOf: [kind.rawValue])
        }
        if let parent = query.parentID, parent.isEmpty {
            sql += " AND parent_id IS NULL"
        } else if let parent = query.parentID {
            sql += " AND parent_id = ?"
            _ = arguments.append(contentsOf: [parent])
        }
        if let text = query.text, !text.isEmpty {
            sql += " AND (instr(lower(name), lower(?)) > 0 OR instr(lower(natural_key), lower(?)) > 0 OR id = ?)"
            _ = arguments.append(contentsOf: [text, text, text])
        }
        if let availability = query.availability {
            sql += " AND availability = ?"
            _ = arguments.append(contentsOf: [availability.rawValue])
        }
        if let property = query.property {
            // The key is passed as a JSON path argument, quoted, so any text is a key and never SQL.
            let quoted = "\"" + property.key.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            sql += " AND json_valid(properties) AND CAST(json_extract(properties, ?) AS TEXT) = ?"
            _ = arguments.append(contentsOf: ["$." + quoted, property.value])
        }
        return (sql, arguments)
    }

    public func resource(tenantID: String, id: String) async throws -> ResourceRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM resources WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id])
                .flatMap(Self.resourceRecord)
        }
    }

    public func series(tenantID: String, resourceID: String) async throws -> [SeriesRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM series WHERE tenant_id = ? AND resource_id = ? ORDER BY metric, labels",
                             arguments: [tenantID, resourceID]).map(Self.seriesRecord)
        }
    }

    public func series(tenantID: String, id: StableID) async throws -> SeriesRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM series WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id.int64])
                .map(Self.seriesRecord)
        }
    }

    public func events(tenantID: String, query: EventQuery) async throws -> [EventRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM events WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let resource = query.resourceID {
                if query.subtree {
                    sql += """
                         AND resource_id IN (WITH RECURSIVE tree(id) AS (SELECT ? UNION SELECT r.id FROM resources r JOIN tree ON r.parent_id = tree.id)
                        SELECT id FROM tree)
                        """
                } else {
                    sql += " AND resource_id = ?"
                }
                arguments.append(resource)
            }
            if let kind = query.kind { sql += " AND kind = ?"; arguments.append(kind.rawValue) }
            if let since = query.sinceMs { sql += " AND time_ms >= ?"; arguments.append(since) }
            if let until = query.untilMs { sql += " AND time_ms < ?"; arguments.append(until) }
            if let minimum = query.minimumSeverity {
                let allowed = EventSeverity.allCases.filter { $0 >= minimum }
                sql += " AND severity IN (\(allowed.map { _ in "?" }.joined(separator: ", ")))"
                arguments += allowed.map { $0.name as any DatabaseValueConvertible }
            }
            if let text = query.text, let match = Self.ftsQuery(text) {
                sql += " AND id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH ?)"
                arguments.append(match)
            }
            if let before = query.beforeID { sql += " AND id < ?"; arguments.append(before) }
            if let after = query.afterID { sql += " AND id > ?"; arguments.append(after) }
            sql += query.oldestFirst ? " ORDER BY id ASC LIMIT ?" : " ORDER BY id DESC LIMIT ?"
            arguments.append(query.limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                EventRecord(id: row["id"], tenantID: row["tenant_id"], resourceID: row["resource_id"], timeMs: row["time_ms"],
                            kind: EventKind(rawValue: row["kind"]), severity: EventSeverity(name: row["severity"]) ?? .info,
                            message: row["message"], source: row["source"])
            }
        }
    }

    /// Words of a search as an FTS5 query: each word a quoted phrase (so operators and punctuation in the
    /// user's text are plain text), all required; nil when there is no word. Whitespace and control
    /// characters separate words (a NUL would end SQLite's string early: "unterminated string"), so every
    /// input becomes a valid query.
    static func ftsQuery(_ text: String) -> String? {
        let words = text.split(whereSeparator: { character in
            character.isWhitespace || character.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || $0.properties.generalCategory == .control }
        }).prefix(16)
        guard !words.isEmpty else { return nil }
        return words.map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: " ")
    }

    public func deleteEvents(olderThanMs cutoffMs: Int64) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM events WHERE time_ms < ?", arguments: [cutoffMs])
            return db.changesCount
        }
    }

    static func resourceRecord(_ row: Row) -> ResourceRecord? {
        guard let kind = ResourceKind(rawValue: row["kind"]) else { return nil }
        return ResourceRecord(id: row["id"], tenantID: row["tenant_id"], kind: kind, naturalKey: row["natural_key"],
                              name: row["name"], parentID: row["parent_id"], propertiesJSON: row["properties"],
                              availability: Availability(rawValue: row["availability"]) ?? .unknown, createdMs: row["created_ms"],
                              updatedMs: row["updated_ms"], approval: Approval(rawValue: row["approval"] ?? "") ?? .approved,
                              removedMs: row["removed_ms"])
    }

    static func seriesRecord(_ row: Row) -> SeriesRecord {
        SeriesRecord(id: StableID(int64: row["id"]), tenantID: row["tenant_id"], resourceID: row["resource_id"],
                     metric: row["metric"], type: MetricType(name: row["type"]) ?? .gauge,
                     labels: LabelsJSON.decode(row["labels"]))
    }
}
