import Foundation
import GRDB
import StrataCore

extension SQLiteCatalog {
    /// Properties whose changes are not events: they move with the host's activity, not its configuration.
    static let volatileProperties: Set<String> = ["connections", "state", "state_reason", "vm_count"]

    /// The top-level properties that differ between two property objects, as `name old → new` for
    /// scalars and the bare name for lists and maps; volatile properties are left out.
    static func propertyChanges(_ db: Database, old: String, new: String) throws -> [String] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT n.key AS key, o.value AS old, n.value AS new, n.type AS type FROM json_each(?) n
                LEFT JOIN json_each(?) o ON o.key = n.key WHERE o.key IS NULL OR o.value IS NOT n.value
            UNION ALL
            SELECT o.key, o.value, NULL, o.type FROM json_each(?) o WHERE NOT EXISTS (SELECT 1 FROM json_each(?) n WHERE n.key = o.key)
            ORDER BY 1
            """, arguments: [new, old, old, new])
        return rows.compactMap { row in
            let key: String = row["key"]
            guard !volatileProperties.contains(key) else { return nil }
            let type: String = row["type"]
            guard type != "object", type != "array" else { return key }
            let before = (row["old"] as DatabaseValue).isNull ? "(none)" : String(describing: row["old"] as DatabaseValue)
            let after = (row["new"] as DatabaseValue).isNull ? "(none)" : String(describing: row["new"] as DatabaseValue)
            return "\(key) \(before.trimmingQuotes) → \(after.trimmingQuotes)"
        }
    }

    /// Records the `depends-on` edges a server's `connections` property shows: each remote end
    /// `ADDRESS:PORT` is the server listening on that port on the platform with that address (this
    /// platform for loopback addresses). Edges seen before stay, marked inactive when the connection is
    /// gone; a new edge is an event.
    static func updateRelations(_ db: Database, tenantID: String, sourceID: String, sourceName: String, platformID: String?,
                                propertiesJSON: String, nowMs: Int64) throws -> [EventRecord] {
        guard let endpoints = try String?.fetchOne(db, sql: "SELECT json_extract(?, '$.connections')", arguments: [propertiesJSON]) else {
            return []
        }
        let remotes = try String.fetchAll(db, sql: "SELECT value FROM json_each(?)", arguments: [endpoints])
        var targets: [(id: String, name: String, evidence: String)] = []
        for remote in remotes {
            guard let colon = remote.lastIndex(of: ":"), let port = Int(remote[remote.index(after: colon)...]) else { continue }
            let address = remote[..<colon].trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            let loopback = address.hasPrefix("127.") || address == "::1"
            let platforms: [String]
            if loopback {
                platforms = platformID.map { [$0] } ?? []
            } else {
                platforms = try String.fetchAll(db, sql: """
                    SELECT DISTINCT r.id FROM resources r, json_each(r.properties, '$.nics') n, json_each(n.value, '$.addresses') a
                    WHERE r.tenant_id = ? AND r.kind = 'platform' AND (a.value = ? OR a.value LIKE ? || '/%')
                    """, arguments: [tenantID, address, address])
            }
            // An address two platforms claim (NAT, cloned VMs) is ambiguous: no edge rather than a wrong one.
            guard platforms.count == 1 else { continue }
            let servers = try Row.fetchAll(db, sql: """
                SELECT DISTINCT s.id, s.name FROM resources s, json_each(s.properties, '$.ports') p
                WHERE s.tenant_id = ? AND s.kind = 'server' AND s.platform_id = ? AND p.value = ? AND s.id != ?
                """, arguments: [tenantID, platforms[0], port, sourceID])
            guard servers.count == 1, !targets.contains(where: { $0.id == servers[0]["id"] }) else { continue }
            targets.append((servers[0]["id"], servers[0]["name"], "connection to \(remote)"))
        }
        var events: [EventRecord] = []
        try db.execute(sql: "UPDATE relations SET active = 0 WHERE source_id = ? AND kind = 'depends-on'", arguments: [sourceID])
        for target in targets {
            let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM relations WHERE source_id = ? AND target_id = ? AND kind = 'depends-on'",
                                          arguments: [sourceID, target.id]) ?? false
            try db.execute(sql: """
                INSERT INTO relations (tenant_id, source_id, target_id, kind, evidence, active, created_ms, seen_ms)
                VALUES (?, ?, ?, 'depends-on', ?, 1, ?, ?)
                ON CONFLICT(source_id, target_id, kind) DO UPDATE SET evidence = excluded.evidence, active = 1, seen_ms = excluded.seen_ms
                """, arguments: [tenantID, sourceID, target.id, target.evidence, nowMs, nowMs])
            if !known {
                events.append(try insertEvent(db, tenantID: tenantID, resourceID: sourceID, timeMs: nowMs, kind: "relation", severity: "info",
                                              message: "server \(sourceName) depends on \(target.name) (\(target.evidence))"))
            }
        }
        return events
    }

    public func relations(tenantID: String, resourceID: String) async throws -> [RelationRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM relations WHERE tenant_id = ? AND (source_id = ? OR target_id = ?) ORDER BY kind, source_id, target_id
                """, arguments: [tenantID, resourceID, resourceID]).map { row in
                RelationRecord(tenantID: row["tenant_id"], sourceID: row["source_id"], targetID: row["target_id"], kind: row["kind"],
                               evidence: row["evidence"], active: row["active"], createdMs: row["created_ms"], seenMs: row["seen_ms"])
            }
        }
    }
}

extension StringProtocol {
    /// The text without one pair of surrounding double quotes.
    var trimmingQuotes: String {
        count >= 2 && hasPrefix("\"") && hasSuffix("\"") ? String(dropFirst().dropLast()) : String(self)
    }
}
