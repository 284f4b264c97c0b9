import GRDB
import StrataCore

extension SQLiteCatalog {
    /// Placements, relocations and departures of the VMs in a batch. A VM keeps an open placement on each
    /// hypervisor listing it. Reported by a new hypervisor while its old one still lists it, the VM is moving:
    /// when the old hypervisor stops listing it, that is exactly one `relocated` event (and at once when the
    /// old one had already let it go). If the old one lists it again meanwhile, one UUID runs in two places
    /// (a clone): an `ambiguity` event, and the VM stays where it was. A VM's parent is the hypervisor of
    /// its oldest open placement; its id and series never change.
    static func recordPlacements(_ db: Database, batch: BatchRecord, vms: [(id: String, name: String, hypervisorID: String)]) throws -> [EventRecord] {
        var events: [EventRecord] = []
        let now = batch.receivedMs
        let graceMs = 3 * max(batch.intervalMs, 1000)
        func name(_ id: String) throws -> String { try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [id]) ?? id }
        func relocated(_ vm: (id: String, name: String), from: String, to: String) throws {
            events.append(try insertEvent(db, tenantID: batch.tenantID, resourceID: vm.id, timeMs: now, kind: "relocated", severity: "info",
                                          message: "vm \(vm.name) relocated from \(try name(from)) to \(try name(to))"))
        }
        var touched: Set<String> = []
        for vm in vms {
            touched.insert(vm.id)
            let open = try String.fetchAll(db, sql: "SELECT hypervisor_id FROM placements WHERE vm_id = ? AND to_ms IS NULL ORDER BY from_ms, id",
                                           arguments: [vm.id])
            if open.contains(vm.hypervisorID) {
                if open.count > 1 {
                    let uuid = try String.fetchOne(db, sql: "SELECT substr(natural_key, 4) FROM resources WHERE id = ?", arguments: [vm.id]) ?? vm.id
                    events += try ambiguity(db, tenantID: batch.tenantID, resourceID: vm.id, message: cloneMessage(uuid: uuid, hypervisors: open),
                                            nowMs: now)
                }
                continue
            }
            try db.execute(sql: "INSERT INTO placements (tenant_id, vm_id, hypervisor_id, from_ms, grace_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [batch.tenantID, vm.id, vm.hypervisorID, now, graceMs])
            if open.isEmpty, let last = try String.fetchOne(db, sql: """
                SELECT hypervisor_id FROM placements WHERE vm_id = ? AND to_ms IS NOT NULL ORDER BY to_ms DESC, id DESC LIMIT 1
                """, arguments: [vm.id]), last != vm.hypervisorID {
                try relocated((vm.id, vm.name), from: last, to: vm.hypervisorID)
            }
            if try String.fetchOne(db, sql: "SELECT availability FROM resources WHERE id = ?", arguments: [vm.id]) == "retired" {
                try db.execute(sql: "UPDATE resources SET availability = 'unknown' WHERE id = ?", arguments: [vm.id])
                events.append(try insertEvent(db, tenantID: batch.tenantID, resourceID: vm.id, timeMs: now, kind: "discovered", severity: "info",
                                              message: "vm \(vm.name) is back (it was retired)"))
            }
        }
        for hypervisor in batch.reachableHypervisors.sorted() {
            let listed = Set(vms.filter { $0.hypervisorID == hypervisor }.map(\.id))
            let open = try Row.fetchAll(db, sql: "SELECT id, vm_id FROM placements WHERE hypervisor_id = ? AND to_ms IS NULL", arguments: [hypervisor])
            for placement in open where !listed.contains(placement["vm_id"]) {
                let vmID: String = placement["vm_id"]
                touched.insert(vmID)
                try db.execute(sql: "UPDATE placements SET to_ms = ?, grace_ms = ? WHERE id = ?", arguments: [now, graceMs, placement["id"] as Int64])
                if let next = try String.fetchOne(db, sql: "SELECT hypervisor_id FROM placements WHERE vm_id = ? AND to_ms IS NULL ORDER BY from_ms, id LIMIT 1",
                                                  arguments: [vmID]) {
                    try relocated((vmID, try name(vmID)), from: hypervisor, to: next)
                }
            }
        }
        // Each VM hangs below the hypervisor of its oldest open placement (while it is gone: its last one).
        for vm in touched {
            try db.execute(sql: """
                UPDATE resources SET parent_id = COALESCE(
                    (SELECT hypervisor_id FROM placements WHERE vm_id = ?1 AND to_ms IS NULL ORDER BY from_ms, id LIMIT 1), parent_id)
                WHERE id = ?1
                """, arguments: [vm])
        }
        return events
    }

    /// Matches guest platforms in the batch to VMs, and VMs new in the batch to guest platforms: by SMBIOS
    /// product UUID (confidence high), else by NIC MACs (medium). A match makes the VM the platform's
    /// parent and is kept as a `runs-in` relation with its evidence; ambiguity (a MAC on several VMs, a UUID
    /// on several hosts at once) is an `ambiguity` event, never a guess.
    static func matchGuests(_ db: Database, tenantID: String, platformIDs: [String], newVMIDs: [String], nowMs: Int64) throws -> [EventRecord] {
        var platforms = Set(platformIDs)
        for vm in newVMIDs {
            let uuid = try String.fetchOne(db, sql: "SELECT substr(natural_key, 4) FROM resources WHERE id = ?", arguments: [vm]) ?? ""
            platforms.formUnion(try String.fetchAll(db, sql: """
                SELECT id FROM resources WHERE tenant_id = ? AND kind = 'platform' AND lower(json_extract(properties, '$.smbios.product_uuid')) = ?
                """, arguments: [tenantID, uuid]))
            platforms.formUnion(try String.fetchAll(db, sql: """
                SELECT DISTINCT p.id FROM resources p, json_each(p.properties, '$.nics') pn, resources v, json_each(v.properties, '$.nics') vn
                WHERE p.tenant_id = ? AND p.kind = 'platform' AND v.id = ? AND lower(json_extract(pn.value, '$.mac')) = json_extract(vn.value, '$.mac')
                """, arguments: [tenantID, vm]))
        }
        var events: [EventRecord] = []
        for platform in platforms.sorted() {
            events += try matchGuest(db, tenantID: tenantID, platformID: platform, nowMs: nowMs)
        }
        return events
    }

    private static func matchGuest(_ db: Database, tenantID: String, platformID: String, nowMs: Int64) throws -> [EventRecord] {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, parent_id, properties FROM resources WHERE id = ?", arguments: [platformID]) else { return [] }
        let name: String = row["name"]
        let properties: String = row["properties"]
        var vmID: String?
        var evidence = ""
        var confidence = ""
        if let uuid = try String.fetchOne(db, sql: "SELECT lower(json_extract(?, '$.smbios.product_uuid'))", arguments: [properties]), !uuid.isEmpty {
            vmID = try String.fetchOne(db, sql: "SELECT id FROM resources WHERE tenant_id = ? AND kind = 'vm' AND natural_key = ?",
                                       arguments: [tenantID, "vm:" + uuid])
            evidence = "SMBIOS UUID \(uuid)"
            confidence = "high"
        }
        if vmID == nil {
            let macs = try String.fetchAll(db, sql: """
                SELECT DISTINCT lower(json_extract(value, '$.mac')) FROM json_each(?, '$.nics')
                WHERE json_extract(value, '$.mac') IS NOT NULL AND json_extract(value, '$.mac') != '00:00:00:00:00:00'
                """, arguments: [properties])
            var candidates: [String: Set<String>] = [:]
            for mac in macs {
                for vm in try String.fetchAll(db, sql: """
                    SELECT DISTINCT v.id FROM resources v, json_each(v.properties, '$.nics') n
                    WHERE v.tenant_id = ? AND v.kind = 'vm' AND json_extract(n.value, '$.mac') = ? AND v.availability != 'retired'
                    """, arguments: [tenantID, mac]) {
                    candidates[vm, default: []].insert(mac)
                }
            }
            if candidates.count > 1 {
                let message = "platform \(name) cannot be matched to a VM: its MACs are on \(candidates.count) VMs (\(Set(candidates.values.flatMap { $0 }).sorted().joined(separator: ", ")))"
                return try ambiguity(db, tenantID: tenantID, resourceID: platformID, message: message, nowMs: nowMs)
            }
            if let (vm, matched) = candidates.first {
                vmID = vm
                evidence = "MAC \(matched.sorted().joined(separator: ", "))"
                confidence = "medium"
            }
        }
        guard let vmID, row["parent_id"] as String? != vmID else { return [] }
        try db.execute(sql: "UPDATE resources SET parent_id = ? WHERE id = ?", arguments: [vmID, platformID])
        try db.execute(sql: "DELETE FROM relations WHERE source_id = ? AND kind = 'runs-in'", arguments: [platformID])
        try db.execute(sql: """
            INSERT INTO relations (tenant_id, source_id, target_id, kind, evidence, active, created_ms, seen_ms)
            VALUES (?, ?, ?, 'runs-in', ?, 1, ?, ?)
            """, arguments: [tenantID, platformID, vmID, "\(evidence) (confidence \(confidence))", nowMs, nowMs])
        let vmName = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [vmID]) ?? vmID
        return [try insertEvent(db, tenantID: tenantID, resourceID: platformID, timeMs: nowMs, kind: "matched", severity: "info",
                                message: "platform \(name) runs in vm \(vmName) (\(evidence), confidence \(confidence))")]
    }

    /// The report of one UUID listed by several hypervisors at once.
    static func cloneMessage(uuid: String, hypervisors: [String]) -> String {
        "vm UUID \(uuid) is listed by \(hypervisors.count) hypervisors at once (\(hypervisors.joined(separator: ", "))): a cloned UUID? "
            + "Not treated as a move; the VM stays on the first"
    }

    /// An `ambiguity` warning, unless the resource's latest one says the same.
    static func ambiguity(_ db: Database, tenantID: String, resourceID: String, message: String, nowMs: Int64) throws -> [EventRecord] {
        let last = try String.fetchOne(db, sql: "SELECT message FROM events WHERE resource_id = ? AND kind = 'ambiguity' ORDER BY id DESC LIMIT 1",
                                       arguments: [resourceID])
        guard last != message else { return [] }
        return [try insertEvent(db, tenantID: tenantID, resourceID: resourceID, timeMs: nowMs, kind: "ambiguity", severity: "warning", message: message)]
    }

    public func placements(tenantID: String, vmID: String?, hypervisorID: String?, atMs: Int64?) async throws -> [PlacementRecord] {
        try await pool.read { db in
            var sql = "SELECT vm_id, hypervisor_id, from_ms, to_ms FROM placements WHERE tenant_id = ?"
            var arguments: [any DatabaseValueConvertible] = [tenantID]
            if let vmID { sql += " AND vm_id = ?"; arguments.append(vmID) }
            if let hypervisorID { sql += " AND hypervisor_id = ?"; arguments.append(hypervisorID) }
            if let atMs { sql += " AND from_ms <= ? AND (to_ms IS NULL OR to_ms > ?)"; arguments += [atMs, atMs] }
            sql += " ORDER BY from_ms, id LIMIT 10000"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                PlacementRecord(vmID: row["vm_id"], hypervisorID: row["hypervisor_id"], fromMs: row["from_ms"], toMs: row["to_ms"])
            }
        }
    }

    public func retireVanishedVMs(nowMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT r.id, r.tenant_id, r.name FROM resources r
                WHERE r.kind = 'vm' AND r.availability != 'retired'
                    AND EXISTS (SELECT 1 FROM placements WHERE vm_id = r.id)
                    AND NOT EXISTS (SELECT 1 FROM placements WHERE vm_id = r.id AND (to_ms IS NULL OR to_ms + grace_ms >= ?))
                """, arguments: [nowMs])
            var events: [EventRecord] = []
            for row in rows {
                let id: String = row["id"]
                let name: String = row["name"]
                try db.execute(sql: "UPDATE resources SET availability = 'retired', updated_ms = ? WHERE id = ?", arguments: [nowMs, id])
                events.append(try Self.insertEvent(db, tenantID: row["tenant_id"], resourceID: id, timeMs: nowMs, kind: "retired", severity: "info",
                                                   message: "vm \(name) is gone from every hypervisor: retired, kept with its history"))
                events += try Self.admit(db, tenantID: row["tenant_id"], resourceID: id, kind: .vm, name: name, change: "removed",
                                         summary: "vm \(name) retired", nowMs: nowMs)
            }
            return events
        }
    }
}
