import Foundation
import GRDB
import StrataCore
import StrataInventory

/// The discovery queue and policy: stores what `Admission` decides.
extension SQLiteCatalog {
    static func policy(_ db: Database, tenantID: String) throws -> DiscoveryPolicy {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM discovery_policies WHERE tenant_id = ?", arguments: [tenantID]) else {
            return .automatic
        }
        let expected = (try? JSONDecoder().decode([DiscoveryPolicy.ExpectedRule].self, from: Data((row["expected"] as String).utf8))) ?? []
        return DiscoveryPolicy(mode: DiscoveryPolicy.Mode(rawValue: row["mode"]) ?? .auto, expected: expected, updatedMs: row["updated_ms"])
    }

    /// Admits a resource change under the tenant's policy (see `Admission`): approved at once, or queued.
    static func admit(_ db: Database, tenantID: String, resourceID: String, kind: ResourceKind, name: String, change: DiscoveryChange,
                      summary: String, nowMs: Int64) throws -> [EventRecord] {
        let policy = try policy(db, tenantID: tenantID)
        guard policy.mode != .auto else { return [] }
        // A resource that is already waiting or ignored is not queued again for the same kind of change.
        let queued = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM discoveries WHERE resource_id = ? AND change = ? AND status IN (?, ?, ?)
            """, arguments: [resourceID, change.rawValue, DiscoveryStatus.pending.rawValue, DiscoveryStatus.deferred.rawValue,
                             DiscoveryStatus.ignored.rawValue]) ?? false
        let decision = Admission.decide(change, resourceID: resourceID, kind: kind, name: name, policy: policy, alreadyQueued: queued)
        guard decision.queue else { return [] }
        try db.execute(sql: """
            INSERT INTO discoveries (tenant_id, resource_id, change, summary, status, created_ms) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [tenantID, resourceID, change.rawValue, summary, DiscoveryStatus.pending.rawValue, nowMs])
        if decision.markPending {
            try db.execute(sql: "UPDATE resources SET approval = ? WHERE id = ?", arguments: [Approval.pending.rawValue, resourceID])
        }
        return try decision.event.map { [try insertEvent(db, tenantID: tenantID, $0, timeMs: nowMs)] } ?? []
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
                """, arguments: [tenantID, policy.mode.rawValue, expected, policy.updatedMs])
        }
    }

    static func discoveryRecord(_ row: Row) -> DiscoveryRecord {
        DiscoveryRecord(id: row["id"], resourceID: row["resource_id"], change: DiscoveryChange(rawValue: row["change"]) ?? .new, summary: row["summary"],
                        status: DiscoveryStatus(rawValue: row["status"]) ?? .pending,
                        createdMs: row["created_ms"], decidedMs: row["decided_ms"], decidedBy: row["decided_by"], agentID: row["agent_id"])
    }

    public func discovery(tenantID: String, id: Int64) async throws -> DiscoveryRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM discoveries WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]).map(Self.discoveryRecord)
        }
    }

    public func discoveries(tenantID: String, status: DiscoveryStatus?, limit: Int) async throws -> [DiscoveryRecord] {
        try await pool.read { db in
            var sql = "SELECT * FROM discoveries WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let status { sql += " AND status = ?"; arguments.append(status.rawValue) }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments.append(limit)
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(Self.discoveryRecord)
        }
    }

    public func decideDiscovery(tenantID: String, id: Int64, status: DiscoveryStatus, by actor: String,
                                nowMs: Int64) async throws -> (DiscoveryRecord, [EventRecord])? {
        try await pool.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM discoveries WHERE tenant_id = ? AND id = ?", arguments: [tenantID, id]) == true else {
                return nil
            }
            try db.execute(sql: "UPDATE discoveries SET status = ?, decided_ms = ?, decided_by = ? WHERE id = ?",
                           arguments: [status.rawValue, nowMs, actor, id])
            let record = Self.discoveryRecord(try Row.fetchOne(db, sql: "SELECT * FROM discoveries WHERE id = ?", arguments: [id])!)
            guard record.change == .new, status != .deferred, let approval = Approval(rawValue: status.rawValue) else { return (record, []) }
            try db.execute(sql: "UPDATE resources SET approval = ? WHERE id = ?", arguments: [approval.rawValue, record.resourceID])
            let resource = try Row.fetchOne(db, sql: "SELECT kind, name FROM resources WHERE id = ?", arguments: [record.resourceID])
            let kind: String = resource?["kind"] ?? "resource"
            let name: String = resource?["name"] ?? record.resourceID
            let cleared = kind == ResourceKind.vm.rawValue ? "; the unknown-VM warning is cleared" : ""
            let event = InventoryEvent(resourceID: record.resourceID, kind: .discovery, message: "\(kind) \(name) \(status.rawValue) by \(actor)\(cleared)")
            return (record, [try Self.insertEvent(db, tenantID: tenantID, event, timeMs: nowMs)])
        }
    }
}
