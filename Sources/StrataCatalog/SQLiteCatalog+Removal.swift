import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func removeResource(tenantID: String, id: String, purge: Bool, by actor: String, nowMs: Int64) async throws -> RemovalRecord? {
        try await pool.write { db in
            guard let root = try Row.fetchOne(db, sql: "SELECT kind, name FROM resources WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]),
                  let kind = ResourceKind(rawValue: root["kind"]) else { return nil }
            let subtree = try Self.subtree(db, tenantID: tenantID, id: id)
            if purge {
                // Deepest first, so nothing is left pointing at a deleted row.
                for member in subtree.reversed() { try Self.deleteResourceRows(db, id: member) }
                return RemovalRecord(ids: subtree, purged: true, events: [])
            }
            try Self.hide(db, ids: subtree, nowMs: nowMs)
            let event = Removal.removed(id: id, kind: kind, name: root["name"], by: actor, count: subtree.count)
            return RemovalRecord(ids: subtree, purged: false, events: [try Self.insertEvent(db, tenantID: tenantID, event, timeMs: nowMs)])
        }
    }

    public func retireGoneServers(afterMs: Int64, nowMs: Int64) async throws -> [EventRecord] {
        guard afterMs > 0 else { return [] }
        return try await pool.write { db in
            let (cutoff, overflow) = nowMs.subtractingReportingOverflow(afterMs)
            guard !overflow else { return [] }
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, tenant_id, name, availability, availability_ms FROM resources
                WHERE kind = 'server' AND removed_ms IS NULL AND availability IN ('down', 'unknown') AND availability_ms < ?
                """, arguments: [cutoff])
            var events: [EventRecord] = []
            for row in rows {
                let availability = Availability(rawValue: row["availability"]) ?? .unknown
                guard Removal.serverIsDue(availability: availability, sinceMs: row["availability_ms"], afterMs: afterMs, nowMs: nowMs) else { continue }
                let tenantID: String = row["tenant_id"]
                try Self.hide(db, ids: try Self.subtree(db, tenantID: tenantID, id: row["id"]), nowMs: nowMs)
                let event = Removal.serverRetired(id: row["id"], name: row["name"], availability: availability, afterMs: afterMs)
                events.append(try Self.insertEvent(db, tenantID: tenantID, event, timeMs: nowMs))
            }
            return events
        }
    }

    /// `id` and every resource below it (by parent), parents before children.
    static func subtree(_ db: Database, tenantID: String, id: String) throws -> [String] {
        try String.fetchAll(db, sql: """
            WITH RECURSIVE below(id, depth) AS (
                SELECT id, 0 FROM resources WHERE tenant_id = ? AND id = ?
                UNION SELECT r.id, below.depth + 1 FROM resources r JOIN below ON r.parent_id = below.id WHERE below.depth < 64
            ) SELECT id FROM below ORDER BY depth
            """, arguments: [tenantID, id])
    }

    /// Hides resources from lists and marks them retired, keeping their history.
    static func hide(_ db: Database, ids: [String], nowMs: Int64) throws {
        for member in ids {
            try db.execute(sql: "UPDATE resources SET removed_ms = ?, availability = 'retired', updated_ms = ? WHERE id = ? AND removed_ms IS NULL",
                           arguments: [nowMs, nowMs, member])
        }
    }

    /// Deletes a resource's row and every row that names it (series, relations, placements, homes, group memberships,
    /// discoveries, configuration versions, events). Its samples stay in the time-series store until retention.
    static func deleteResourceRows(_ db: Database, id: String) throws {
        for sql in ["DELETE FROM series WHERE resource_id = ?",
                    "DELETE FROM relations WHERE source_id = ?1 OR target_id = ?1",
                    "DELETE FROM placements WHERE vm_id = ?1 OR hypervisor_id = ?1",
                    "DELETE FROM vm_homes WHERE vm_id = ?1 OR hypervisor_id = ?1",
                    "DELETE FROM group_members WHERE resource_id = ?1 OR group_id = ?1",
                    "DELETE FROM grants WHERE group_id = ?",
                    "DELETE FROM discoveries WHERE resource_id = ?",
                    "DELETE FROM config_versions WHERE resource_id = ?",
                    "DELETE FROM remote_targets WHERE resource_id = ?",
                    "DELETE FROM events WHERE resource_id = ?",
                    "DELETE FROM resources WHERE id = ?"] {
            try db.execute(sql: sql, arguments: [id])
        }
    }
}
