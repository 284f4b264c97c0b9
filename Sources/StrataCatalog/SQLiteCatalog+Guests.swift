import GRDB
import StrataCore
import StrataInventory

/// Guest ↔ VM matching: loads a guest platform's evidence and the VMs it points at, lets `GuestMatcher`
/// decide, and stores the `runs-in` relation (the VM becomes the platform's parent).
extension SQLiteCatalog {
    /// Matches the guest platforms of a batch, and the guests that VMs new in the batch may be, to VMs.
    static func matchGuests(_ db: Database, tenantID: String, platformIDs: [String], newVMIDs: [String], nowMs: Int64) throws -> [EventRecord] {
        var platforms = Set(platformIDs)
        for vm in newVMIDs {
            guard let key = try String.fetchOne(db, sql: "SELECT natural_key FROM resources WHERE id = ?", arguments: [vm]),
                  let uuid = ResourceKey.vmUUID(key) else { continue }
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
            guard let guest = try loadGuest(db, platformID: platform) else { continue }
            let vmWithUUID = try guest.smbiosUUID.flatMap { uuid in
                try String.fetchOne(db, sql: "SELECT id FROM resources WHERE tenant_id = ? AND kind = 'vm' AND natural_key = ?",
                                    arguments: [tenantID, ResourceKey.vm(uuid: uuid)])
            }
            var macsByVM: [String: Set<String>] = [:]
            for mac in guest.usableMACs {
                for vm in try String.fetchAll(db, sql: """
                    SELECT DISTINCT v.id FROM resources v, json_each(v.properties, '$.nics') n
                    WHERE v.tenant_id = ? AND v.kind = 'vm' AND json_extract(n.value, '$.mac') = ? AND v.availability != ?
                    """, arguments: [tenantID, mac, Availability.retired.rawValue]) {
                    macsByVM[vm, default: []].insert(mac)
                }
            }
            switch GuestMatcher.decide(guest, vmWithUUID: vmWithUUID, macsByVM: macsByVM) {
            case .unchanged:
                continue
            case .ambiguous(let event):
                events += try ambiguity(db, tenantID: tenantID, event, nowMs: nowMs)
            case let .runsIn(vmID, evidence):
                try db.execute(sql: "UPDATE resources SET parent_id = ? WHERE id = ?", arguments: [vmID, platform])
                try db.execute(sql: "DELETE FROM relations WHERE source_id = ? AND kind = ?", arguments: [platform, RelationKind.runsIn.rawValue])
                try db.execute(sql: """
                    INSERT INTO relations (tenant_id, source_id, target_id, kind, evidence, active, created_ms, seen_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                    """, arguments: [tenantID, platform, vmID, RelationKind.runsIn.rawValue, evidence, nowMs, nowMs])
                let vmName = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [vmID]) ?? vmID
                events.append(try insertEvent(db, tenantID: tenantID, GuestMatcher.matchedEvent(guest, vmName: vmName, evidence: evidence), timeMs: nowMs))
            }
        }
        return events
    }

    /// A platform's evidence as stored.
    static func loadGuest(_ db: Database, platformID: String) throws -> GuestMatcher.Guest? {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, parent_id, properties FROM resources WHERE id = ?", arguments: [platformID]) else { return nil }
        let properties = try? PropertyValue(json: row["properties"])
        var macs: [String] = []
        if case .list(let nics)? = properties?["nics"] { macs = nics.compactMap { $0["mac"]?.stringValue } }
        let uuid = properties?["smbios"]?["product_uuid"]?.stringValue
        return GuestMatcher.Guest(platformID: platformID, name: row["name"], parentID: row["parent_id"], smbiosUUID: uuid, macs: macs)
    }

    /// Records an `ambiguity` warning unless the resource's latest one says the same.
    static func ambiguity(_ db: Database, tenantID: String, _ event: InventoryEvent, nowMs: Int64) throws -> [EventRecord] {
        let last = try String.fetchOne(db, sql: "SELECT message FROM events WHERE resource_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                                       arguments: [event.resourceID, EventKind.ambiguity.rawValue])
        guard last != event.message else { return [] }
        return [try insertEvent(db, tenantID: tenantID, event, timeMs: nowMs)]
    }
}
