import Foundation
import GRDB
import StrataControl
import StrataCore
import StrataInventory

/// VM failover's rows: settings per group (JSON), one decision per VM (JSON with its state alongside).
extension SQLiteCatalog {
    public func failoverSettings(tenantID: String, groupID: String) async throws -> FailoverSettings? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT settings FROM failover_settings WHERE tenant_id = ? AND group_id = ?", arguments: [tenantID, groupID])
                .flatMap { try? JSONDecoder().decode(FailoverSettings.self, from: Data($0.utf8)) }
        }
    }

    public func setFailoverSettings(tenantID: String, groupID: String, settings: FailoverSettings, nowMs: Int64) async throws -> Bool {
        let text = String(decoding: try JSONEncoder().encode(settings), as: UTF8.self)
        return try await pool.write { db in
            guard try Self.isGroup(db, tenantID: tenantID, id: groupID) else { return false }
            try db.execute(sql: """
                INSERT INTO failover_settings (group_id, tenant_id, enabled, settings, updated_ms) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(group_id) DO UPDATE SET enabled = excluded.enabled, settings = excluded.settings, updated_ms = excluded.updated_ms
                """, arguments: [groupID, tenantID, settings.enabled, text, nowMs])
            return true
        }
    }

    public func failoverGroups() async throws -> [FailoverGroup] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT f.tenant_id, f.group_id, f.settings FROM failover_settings f
                JOIN resources r ON r.id = f.group_id AND r.tenant_id = f.tenant_id AND r.removed_ms IS NULL
                WHERE f.enabled = 1 ORDER BY f.tenant_id, f.group_id
                """).compactMap { row -> FailoverGroup? in
                let text: String = row["settings"]
                guard let settings = try? JSONDecoder().decode(FailoverSettings.self, from: Data(text.utf8)) else { return nil }
                let members = try String.fetchAll(db, sql: "SELECT resource_id FROM group_members WHERE group_id = ? ORDER BY resource_id",
                                                  arguments: [row["group_id"] as String])
                return FailoverGroup(tenantID: row["tenant_id"], groupID: row["group_id"], settings: settings, members: members)
            }
        }
    }

    public func failoverDecisions(tenantID: String) async throws -> [String: FailoverDecision] {
        try await pool.read { db in
            var decisions: [String: FailoverDecision] = [:]
            for text in try String.fetchAll(db, sql: "SELECT decision FROM failover_decisions WHERE tenant_id = ?", arguments: [tenantID]) {
                guard let decision = try? JSONDecoder().decode(FailoverDecision.self, from: Data(text.utf8)) else { continue }
                decisions[decision.vmID] = decision
            }
            return decisions
        }
    }

    public func runningPlacements(vmIDs: [String]) async throws -> [String: Set<String>] {
        try await pool.read { db in
            var running: [String: Set<String>] = [:]
            for vm in vmIDs {
                running[vm] = Set(try String.fetchAll(db, sql: "SELECT hypervisor_id FROM placements WHERE vm_id = ? AND to_ms IS NULL AND state = ?",
                                                      arguments: [vm, VMRunState.running.rawValue]))
            }
            return running
        }
    }

    public func applyFailover(tenantID: String, steps: [FailoverStep], placementGraceMs: Int64, nowMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            var events: [EventRecord] = []
            for step in steps {
                switch step {
                case .save(let decision):
                    try db.execute(sql: """
                        INSERT INTO failover_decisions (vm_id, tenant_id, decision, state, updated_ms) VALUES (?, ?, ?, ?, ?)
                        ON CONFLICT(vm_id) DO UPDATE SET decision = excluded.decision, state = excluded.state, updated_ms = excluded.updated_ms
                        """, arguments: [decision.vmID, tenantID, String(decoding: try encoder.encode(decision), as: UTF8.self),
                                         decision.state.rawValue, nowMs])
                case .forget(let vmID):
                    try db.execute(sql: "DELETE FROM failover_decisions WHERE vm_id = ? AND tenant_id = ?", arguments: [vmID, tenantID])
                case .event(let event):
                    events.append(try Self.insertEvent(db, tenantID: tenantID, InventoryEvent(resourceID: event.vmID, kind: .failover,
                                                                                                severity: event.severity, message: event.message),
                                                       timeMs: nowMs))
                case .closePlacement(let vmID, let hypervisorID):
                    try db.execute(sql: "UPDATE placements SET to_ms = ?, grace_ms = ? WHERE vm_id = ? AND hypervisor_id = ? AND to_ms IS NULL",
                                   arguments: [nowMs, placementGraceMs, vmID, hypervisorID])
                case .start:
                    continue
                }
            }
            return events
        }
    }
}
