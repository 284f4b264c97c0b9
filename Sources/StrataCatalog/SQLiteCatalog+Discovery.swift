#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GRDB
import StrataCore

extension SQLiteCatalog {
    static func policy(_ db: Database, tenantID: String) throws -> DiscoveryPolicy {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM discovery_policies WHERE tenant_id = ?", arguments: [tenantID]) else {
            return DiscoveryPolicy(mode: "auto", expected: [], updatedMs: 0)
        }
        let expected = (try? JSONDecoder().decode([DiscoveryPolicy.ExpectedRule].self, from: Data((row["expected"] as String).utf8))) ?? []
        return DiscoveryPolicy(mode: row["mode"], expected: expected, updatedMs: row["updated_ms"])
    }

    /// Admits a resource change under the tenant's policy: approved at once, or queued. A VM left waiting
    /// (not approved, not expected) is an `unknown-vm` warning: the rogue-VM case.
    static func admit(_ db: Database, tenantID: String, resourceID: String, kind: ResourceKind, name: String, change: String, summary: String,
                      nowMs: Int64) throws -> [EventRecord] {
        let policy = try policy(db, tenantID: tenantID)
        guard policy.mode != "auto" else { return [] }
        let expected = policy.mode == "rules" && policy.expected.contains { rule in
            (rule.kind == nil || rule.kind == kind.rawValue) && fnmatch(rule.name, name, 0) == 0
        }
        guard !expected else { return [] }
        // A resource that is already waiting or ignored is not queued again for the same kind of change.
        let open = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM discoveries WHERE resource_id = ? AND change = ? AND status IN ('pending', 'deferred', 'ignored')
            """, arguments: [resourceID, change]) ?? false
        guard !open else { return [] }
        try db.execute(sql: """
            INSERT INTO discoveries (tenant_id, resource_id, change, summary, status, created_ms) VALUES (?, ?, ?, ?, 'pending', ?)
            """, arguments: [tenantID, resourceID, change, summary, nowMs])
        guard change == "new" else { return [] }
        try db.execute(sql: "UPDATE resources SET approval = 'pending' WHERE id = ?", arguments: [resourceID])
        guard kind == .vm else { return [] }
        return [try insertEvent(db, tenantID: tenantID, resourceID: resourceID, timeMs: nowMs, kind: "unknown-vm", severity: "warning",
                                message: "unknown VM \(name): neither approved nor expected by a rule; approve, ignore or defer it in the discovery queue")]
    }

    public func discoveryPolicy(tenantID: String) async throws -> DiscoveryPolicy {
        try await pool.read { db in try Self.policy(db, tenantID: tenantID) }
    }

    public func setDiscoveryPolicy(tenantID: String, policy: DiscoveryPolicy) async throws {
        let expected = String(decoding: try JSONEncoder().encode(policy.expected), as: UTF8.self)
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO discovery_policies (tenant_id, mode, expected, updated_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT(tenant_id) DO UPDATE SET mode = excluded.mode, expected = excluded.expected, updated_ms = excluded.updated_ms
                """, arguments: [tenantID, policy.mode, expected, policy.updatedMs])
        }
    }

    static func discoveryRecord(_ row: Row) -> DiscoveryRecord {
        DiscoveryRecord(id: row["id"], resourceID: row["resource_id"], change: row["change"], summary: row["summary"], status: row["status"],
                        createdMs: row["created_ms"], decidedMs: row["decided_ms"], decidedBy: row["decided_by"], agentID: row["agent_id"])
    }

    public func discovery(tenantID: String, id: Int64) async throws -> DiscoveryRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM discoveries WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]).map(Self.discoveryRecord)
        }
    }

    public func discoveries(tenantID: String, status: String?, limit: Int) async throws -> [DiscoveryRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM discoveries WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let status { sql += " AND status = ?"; arguments.append(status) }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.discoveryRecord)
        }
    }

    public func decideDiscovery(tenantID: String, id: Int64, decision: String, by actor: String,
                                nowMs: Int64) async throws -> (DiscoveryRecord, [EventRecord])? {
        let status = ["approve": "approved", "ignore": "ignored", "defer": "deferred"][decision] ?? "pending"
        return try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM discoveries WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) else {
                return nil
            }
            try db.execute(sql: "UPDATE discoveries SET status = ?, decided_ms = ?, decided_by = ? WHERE id = ?",
                           arguments: [status, nowMs, actor, id])
            let record = Self.discoveryRecord(try Row.fetchOne(db, sql: "SELECT * FROM discoveries WHERE id = ?", arguments: [id])!)
            var events: [EventRecord] = []
            if record.change == "new", status != "deferred" {
                try db.execute(sql: "UPDATE resources SET approval = ? WHERE id = ?", arguments: [status, record.resourceID])
                let resource = try Row.fetchOne(db, sql: "SELECT kind, name FROM resources WHERE id = ?", arguments: [record.resourceID])
                let kind: String = resource?["kind"] ?? "resource"
                let name: String = resource?["name"] ?? record.resourceID
                let cleared = kind == "vm" ? "; the unknown-VM warning is cleared" : ""
                events.append(try Self.insertEvent(db, tenantID: tenantID, resourceID: record.resourceID, timeMs: nowMs, kind: "discovery",
                                                   severity: "info", message: "\(kind) \(name) \(status) by \(actor)\(cleared)"))
            }
            _ = row
            return (record, events)
        }
    }
}
