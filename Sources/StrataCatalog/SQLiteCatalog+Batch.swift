import GRDB
import StrataCore
import StrataInventory

/// One acknowledged agent batch, reconciled into the inventory in one write transaction: resources upserted
/// (discovered and changed events, admission), VM placements, guest matches, dependency edges, availability
/// from `up` readings, observed events, configuration versions, series and the agent's progress. The
/// decisions come from StrataInventory; this file reads and writes rows.
extension SQLiteCatalog {
    public func record(batch: BatchRecord) async throws -> [EventRecord] {
        try await pool.write { db in
            let now = batch.receivedMs
            var events: [EventRecord] = []
            var vmReports: [VMReportLine] = []
            var newVMs: [String] = []
            for resource in batch.resources {
                if resource.kind == .vm, let hypervisor = resource.parentID {
                    // A VM's report describes it only when it comes from its home (decided below): insert it if
                    // new, and take its name and properties once its placement is known.
                    vmReports.append(VMReportLine(resource: resource, hypervisorID: hypervisor))
                    guard try !Self.resourceExists(db, id: resource.id), !newVMs.contains(resource.id) else { continue }
                    newVMs.append(resource.id)
                }
                events += try Self.upsert(db, batch: batch, resource)
            }
            let placements = try Self.recordPlacements(db, batch: batch, reports: vmReports)
            events += placements.events
            var described: Set<String> = []
            for report in vmReports where placements.describes.contains(report.resource.id) && !newVMs.contains(report.resource.id)
                && described.insert(report.resource.id).inserted {
                events += try Self.upsert(db, batch: batch, report.resource)
            }
            events += try Self.matchGuests(db, tenantID: batch.tenantID,
                                           platformIDs: batch.resources.filter { $0.kind == .platform && $0.propertiesJSON != nil }.map(\.id),
                                           newVMIDs: newVMs, nowMs: now)
            for resource in batch.resources where resource.kind == .server {
                guard let json = resource.propertiesJSON, let properties = try? PropertyValue(json: json) else { continue }
                events += try Self.updateRelations(db, tenantID: batch.tenantID, sourceID: resource.id, sourceName: resource.name,
                                                   platformID: batch.platformID, properties: properties, nowMs: now)
            }
            events += try Self.recordReadings(db, batch: batch)
            events += try Self.recordObserved(db, tenantID: batch.tenantID, events: batch.events)
            events += try Self.recordConfigs(db, tenantID: batch.tenantID, configs: batch.configs)
            for series in batch.series {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO series (id, tenant_id, resource_id, metric, type, labels, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [series.id.int64, series.tenantID, series.resourceID, series.metric,
                                     series.type.name, LabelsJSON.encode(series.labels), now])
            }
            events += try Self.recordAgent(db, batch: batch)
            return events
        }
    }

    static func resourceExists(_ db: Database, id: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT 1 FROM resources WHERE id = ?", arguments: [id]) ?? false
    }

    /// Inserts or updates one reported resource; a new one is `discovered`, changed properties are `changed`,
    /// and both go through admission.
    static func upsert(_ db: Database, batch: BatchRecord, _ resource: ResolvedResource) throws -> [EventRecord] {
        let now = batch.receivedMs
        let platformID = resource.kind == .platform ? resource.id : batch.platformID
        let existing = try Row.fetchOne(db, sql: "SELECT platform_id, properties FROM resources WHERE id = ?", arguments: [resource.id])
        if let owner = existing?["platform_id"] as String?, owner != platformID, resource.kind != .vm {
            throw CatalogError.foreignResource(id: resource.id, platformID: owner)
        }
        try db.execute(sql: """
            INSERT INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, created_ms, updated_ms, platform_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET name = excluded.name,
                parent_id = CASE WHEN resources.kind IN ('platform', 'vm') THEN resources.parent_id ELSE excluded.parent_id END,
                properties = CASE WHEN ? THEN excluded.properties ELSE resources.properties END,
                updated_ms = excluded.updated_ms, platform_id = excluded.platform_id,
                availability = CASE WHEN resources.removed_ms IS NULL THEN resources.availability ELSE 'unknown' END, removed_ms = NULL
            """, arguments: [resource.id, batch.tenantID, resource.kind.rawValue, resource.naturalKey, resource.name,
                             resource.parentID, resource.propertiesJSON ?? "{}", Availability.up.rawValue, now, now, platformID,
                             resource.propertiesJSON != nil])
        guard let existing else {
            let summary = "\(resource.kind.rawValue) \(resource.name) discovered"
            let event = InventoryEvent(resourceID: resource.id, kind: .discovered, message: summary)
            return [try insertEvent(db, tenantID: batch.tenantID, event, timeMs: now)]
                + (try admit(db, tenantID: batch.tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name,
                             change: .new, summary: summary, nowMs: now))
        }
        guard let json = resource.propertiesJSON, let old = existing["properties"] as String?, old != json else { return [] }
        let changes = PropertyChanges.between((try? PropertyValue(json: old)) ?? .map([]), (try? PropertyValue(json: json)) ?? .map([]))
        guard let event = PropertyChanges.event(resourceID: resource.id, kind: resource.kind, name: resource.name, changes: changes) else { return [] }
        return [try insertEvent(db, tenantID: batch.tenantID, event, timeMs: now)]
            + (try admit(db, tenantID: batch.tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name,
                         change: .changed, summary: changes.joined(separator: "; "), nowMs: now))
    }

    /// Availability from the batch's evidence (`Liveness.reported`): servers, hypervisors and containers follow
    /// their own `up`, a service its server's, anything measured without one is up; a platform follows its agent's
    /// heartbeat and a VM its home hypervisor's report (both decided elsewhere).
    static func recordReadings(_ db: Database, batch: BatchRecord) throws -> [EventRecord] {
        var events: [EventRecord] = []
        let names = Dictionary(batch.resources.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        // Only measured resources count as reported: an events-only batch names a server to own its log lines.
        let measured = Set(batch.series.map(\.resourceID))
        for resource in batch.resources where resource.kind != .platform && resource.kind != .vm
            && (batch.upReadings[resource.id] != nil || measured.contains(resource.id)) {
            let parent = resource.parentID.flatMap { id in batch.upReadings[id].map { (name: names[id] ?? id, up: $0) } }
            guard let row = try Row.fetchOne(db, sql: "SELECT availability FROM resources WHERE id = ?", arguments: [resource.id]),
                  let (wanted, event) = Liveness.reported(resourceID: resource.id, kind: resource.kind, name: resource.name,
                                                          current: Availability(rawValue: row["availability"]) ?? .unknown,
                                                          up: batch.upReadings[resource.id], parent: resource.kind == .service ? parent : nil)
            else { continue }
            try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [wanted.rawValue, batch.receivedMs, resource.id])
            events.append(try insertEvent(db, tenantID: batch.tenantID, event, timeMs: batch.receivedMs))
        }
        // Services the batch leaves out follow their stopped server down (a dead Redis's keyspace cannot be read).
        let reported = Set(batch.resources.map(\.id))
        for (serverID, up) in batch.upReadings where !up {
            let children = try Row.fetchAll(db, sql: "SELECT id, name, availability FROM resources WHERE parent_id = ? AND kind = 'service' AND removed_ms IS NULL",
                                            arguments: [serverID])
            for child in children where !reported.contains(child["id"]) {
                guard let (wanted, event) = Liveness.reported(resourceID: child["id"], kind: .service, name: child["name"],
                                                              current: Availability(rawValue: child["availability"]) ?? .unknown,
                                                              up: nil, parent: (name: names[serverID] ?? serverID, up: false)) else { continue }
                try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [wanted.rawValue, batch.receivedMs, event.resourceID])
                events.append(try insertEvent(db, tenantID: batch.tenantID, event, timeMs: batch.receivedMs))
            }
        }
        return events
    }

    /// The agent's progress (sequence, interval, version, last seen); a platform whose agent was overdue is up again.
    static func recordAgent(_ db: Database, batch: BatchRecord) throws -> [EventRecord] {
        let now = batch.receivedMs
        let previous = try Row.fetchOne(db, sql: "SELECT available, platform_id FROM agents WHERE id = ?", arguments: [batch.agentID])
        try db.execute(sql: """
            INSERT INTO agents (id, tenant_id, platform_id, last_sequence, interval_ms, version, first_seen_ms, last_seen_ms, available)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1)
            ON CONFLICT(id) DO UPDATE SET platform_id = COALESCE(excluded.platform_id, agents.platform_id),
                last_sequence = MAX(agents.last_sequence, excluded.last_sequence), interval_ms = excluded.interval_ms,
                version = excluded.version, last_seen_ms = excluded.last_seen_ms, available = 1
            """, arguments: [batch.agentID, batch.tenantID, batch.platformID, Int64(batch.sequence), batch.intervalMs,
                             batch.agentVersion, now, now])
        guard let previous, previous["available"] == false, let platformID = batch.platformID ?? (previous["platform_id"] as String?) else { return [] }
        try db.execute(sql: "UPDATE resources SET availability = ?, updated_ms = ? WHERE id = ?", arguments: [Availability.up.rawValue, now, platformID])
        let name = try String.fetchOne(db, sql: "SELECT name FROM resources WHERE id = ?", arguments: [platformID]) ?? platformID
        return [try insertEvent(db, tenantID: batch.tenantID, Liveness.agentBack(platformID: platformID, name: name), timeMs: now)]
    }
}
