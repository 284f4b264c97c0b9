import GRDB
import StrataCore
import StrataInventory

/// VM placements: loads each VM's `VMPlacement`, lets it decide on a batch's hypervisor listings, and stores
/// what it decided. The rules live in StrataInventory; this file only reads and writes rows.
extension SQLiteCatalog {
    /// One VM as a batch lists it: which hypervisor, and the report (name, properties) that comes with it.
    struct VMReportLine {
        var resource: ResolvedResource
        var hypervisorID: String
    }

    /// Applies a batch's VM listings: placements opened, updated and closed, homes (parents), availability and
    /// events. Returns the events and, per VM, whether the batch's report of it describes it (comes from its home).
    static func recordPlacements(_ db: Database, batch: BatchRecord, reports: [VMReportLine]) throws -> (events: [EventRecord], describes: Set<String>) {
        let now = batch.receivedMs
        let graceMs = 3 * max(batch.intervalMs, 1000)
        var listings: [String: [VMListing]] = [:]
        var touched = Set(reports.map(\.resource.id))
        for hypervisor in batch.reachableHypervisors {
            touched.formUnion(try String.fetchAll(db, sql: "SELECT vm_id FROM placements WHERE hypervisor_id = ? AND to_ms IS NULL", arguments: [hypervisor]))
        }
        var states: [String: VMPlacement] = [:]
        for vm in touched { states[vm] = try loadPlacement(db, vmID: vm) }
        for report in reports where listings[report.resource.id]?.contains(where: { $0.hypervisorID == report.hypervisorID }) != true {
            let previous = states[report.resource.id]?.open.first { $0.hypervisorID == report.hypervisorID }
            listings[report.resource.id, default: []].append(listing(report, previous: previous, up: batch.upReadings[report.resource.id]))
        }
        let reached = batch.reachableHypervisors.union(reports.map(\.hypervisorID))
        var names: [String: String] = [:]
        for state in states.values {
            for id in Set(state.open.map(\.hypervisorID) + [state.home].compactMap { $0 } + reached) where names[id] == nil {
                names[id] = try hypervisorLabel(db, id: id)
            }
        }
        var events: [EventRecord] = []
        var describes: Set<String> = []
        for vm in touched.sorted() {
            guard var state = states[vm] else { continue }
            let actions = state.observe(listings[vm] ?? [], reached: reached, nowMs: now, names: names)
            for action in actions {
                switch action {
                case .open(let placement):
                    try db.execute(sql: """
                        INSERT INTO placements (tenant_id, vm_id, hypervisor_id, from_ms, grace_ms, state, fingerprint, seen_ms, running_since_ms)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [batch.tenantID, vm, placement.hypervisorID, placement.fromMs, graceMs, placement.state.rawValue,
                                         placement.fingerprint, placement.seenMs, placement.runningSinceMs])
                case .update(let placement):
                    try db.execute(sql: """
                        UPDATE placements SET state = ?, fingerprint = ?, seen_ms = ?, running_since_ms = ?, grace_ms = ?
                        WHERE vm_id = ? AND hypervisor_id = ? AND to_ms IS NULL
                        """, arguments: [placement.state.rawValue, placement.fingerprint, placement.seenMs, placement.runningSinceMs, graceMs,
                                         vm, placement.hypervisorID])
                case .close(let hypervisorID):
                    try db.execute(sql: "UPDATE placements SET to_ms = ?, grace_ms = ? WHERE vm_id = ? AND hypervisor_id = ? AND to_ms IS NULL",
                                   arguments: [now, graceMs, vm, hypervisorID])
                case .setHome(let hypervisorID):
                    try db.execute(sql: "UPDATE resources SET parent_id = ? WHERE id = ?", arguments: [hypervisorID, vm])
                    try db.execute(sql: "UPDATE vm_homes SET to_ms = ? WHERE vm_id = ? AND to_ms IS NULL", arguments: [now, vm])
                    try db.execute(sql: "INSERT INTO vm_homes (tenant_id, vm_id, hypervisor_id, from_ms) VALUES (?, ?, ?, ?)",
                                   arguments: [batch.tenantID, vm, hypervisorID, now])
                case .setAvailability(let availability):
                    try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [availability.rawValue, now, vm])
                case .event(let event):
                    events.append(try insertEvent(db, tenantID: batch.tenantID, event, timeMs: now))
                }
            }
            if let home = state.home, reports.contains(where: { $0.resource.id == vm && $0.hypervisorID == home }) { describes.insert(vm) }
        }
        return (events, describes)
    }

    /// The listing a report makes: its state and definition from the properties it carries, else as that
    /// hypervisor last listed it, else (a first listing without properties) from the VM's `up`.
    static func listing(_ report: VMReportLine, previous: OpenPlacement?, up: Bool?) -> VMListing {
        let properties = report.resource.propertiesJSON.flatMap { try? PropertyValue(json: $0) }
        let state = properties?["state"]?.stringValue.map(VMRunState.init(libvirtState:))
            ?? previous?.state ?? (up == false ? .inactive : .running)
        let fingerprint: String
        if case .list(let nics)? = properties?["nics"] {
            fingerprint = VMListing.fingerprint(name: report.resource.name, macs: nics.compactMap { $0["mac"]?.stringValue })
        } else {
            fingerprint = previous?.fingerprint ?? ""
        }
        return VMListing(hypervisorID: report.hypervisorID, state: state, fingerprint: fingerprint)
    }

    /// A VM's placement state as stored.
    static func loadPlacement(_ db: Database, vmID: String) throws -> VMPlacement? {
        guard let vm = try Row.fetchOne(db, sql: "SELECT name, parent_id, availability FROM resources WHERE id = ?", arguments: [vmID]) else { return nil }
        let open = try Row.fetchAll(db, sql: """
            SELECT hypervisor_id, from_ms, state, fingerprint, seen_ms, running_since_ms FROM placements
            WHERE vm_id = ? AND to_ms IS NULL ORDER BY from_ms, id
            """, arguments: [vmID]).map { row in
            OpenPlacement(hypervisorID: row["hypervisor_id"], fromMs: row["from_ms"], state: VMRunState(rawValue: row["state"]) ?? .running,
                          fingerprint: row["fingerprint"], seenMs: row["seen_ms"], runningSinceMs: row["running_since_ms"])
        }
        let everPlaced = try Bool.fetchOne(db, sql: "SELECT 1 FROM placements WHERE vm_id = ? LIMIT 1", arguments: [vmID]) ?? false
        let lastAmbiguity = try String.fetchOne(db, sql: "SELECT message FROM events WHERE resource_id = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                                                arguments: [vmID, EventKind.ambiguity.rawValue])
        return VMPlacement(vmID: vmID, vmName: vm["name"], home: everPlaced ? vm["parent_id"] : nil, open: open,
                           availability: Availability(rawValue: vm["availability"]) ?? .unknown, lastAmbiguity: lastAmbiguity)
    }

    /// How events name a hypervisor: its name and connection URI, so two hosts with one driver hostname differ.
    static func hypervisorLabel(_ db: Database, id: String) throws -> String {
        guard let row = try Row.fetchOne(db, sql: "SELECT name, properties FROM resources WHERE id = ?", arguments: [id]) else { return id }
        let name: String = row["name"]
        guard let uri = (try? PropertyValue(json: row["properties"]))?["uri"]?.stringValue, !name.contains(uri) else { return name }
        return "\(name) (\(uri))"
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
                WHERE r.kind = 'vm' AND r.availability != ?
                    AND EXISTS (SELECT 1 FROM placements WHERE vm_id = r.id)
                    AND NOT EXISTS (SELECT 1 FROM placements WHERE vm_id = r.id AND (to_ms IS NULL OR to_ms + grace_ms >= ?))
                """, arguments: [Availability.retired.rawValue, nowMs])
            var events: [EventRecord] = []
            for row in rows {
                let id: String = row["id"]
                let name: String = row["name"]
                try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [Availability.retired.rawValue, nowMs, id])
                events.append(try Self.insertEvent(db, tenantID: row["tenant_id"], Liveness.retired(vmID: id, name: name), timeMs: nowMs))
                events += try Self.admit(db, tenantID: row["tenant_id"], resourceID: id, kind: .vm, name: name, change: .removed,
                                         summary: "vm \(name) retired", nowMs: nowMs)
            }
            return events
        }
    }
}
