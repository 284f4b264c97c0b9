import GRDB
import StrataCore
import StrataInventory

/// What applying an import changed in the catalog.
public struct ImportOutcome: Sendable {
    /// The plan with every reference settled (the server writes the samples of its series).
    public var resolved: ResolvedImport
    /// Resources new, changed and as they were.
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    /// Relations and placements (home spans) added or changed.
    public var relationsChanged = 0
    public var placementsChanged = 0
    /// Series rows new to the catalog.
    public var seriesCreated = 0
    /// The events recorded (discovered, changed, discovery queue).
    public var events: [EventRecord] = []
    /// Past events of the document stored (those already stored are not counted).
    public var eventsAdded = 0
}

/// Imports (docs/import.md): the tenant's inventory loaded, the plan's references settled against it
/// (`ImportPlan.resolve`, which refuses unknown keys and cycles), then resources upserted as discovered ones are —
/// the same ids, `discovered` and `changed` events, the discovery queue — relations, placements and home spans,
/// and series rows, all in one write transaction. Applying the same plan twice changes nothing the second time.
extension SQLiteCatalog {
    public func applyImport(tenantID: String, plan: ImportPlan, nowMs: Int64) async throws -> ImportOutcome {
        try await pool.write { db in
            let inventory = ImportInventory(try Row.fetchAll(db, sql: "SELECT id, kind, natural_key, name, parent_id FROM resources WHERE tenant_id = ?",
                                                             arguments: [tenantID]).compactMap { row in
                ResourceKind(rawValue: row["kind"]).map {
                    ImportInventory.Known(id: row["id"], kind: $0, key: row["natural_key"], name: row["name"], parentID: row["parent_id"])
                }
            })
            var outcome = ImportOutcome(resolved: try plan.resolve(tenantID: tenantID, inventory: inventory))
            for resource in outcome.resolved.resources {
                try Self.importResource(db, tenantID: tenantID, resource, nowMs: nowMs, into: &outcome)
            }
            for resource in outcome.resolved.resources {
                for relation in resource.relations {
                    outcome.relationsChanged += try Self.importRelation(db, tenantID: tenantID, sourceID: resource.id, relation, nowMs: nowMs) ? 1 : 0
                }
                for span in resource.placements {
                    outcome.placementsChanged += try Self.importSpan(db, tenantID: tenantID, span, table: "vm_homes") ? 1 : 0
                    _ = try Self.importSpan(db, tenantID: tenantID, span, table: "placements")
                }
            }
            // Past events, once: an event already stored with the same resource, kind, time and message is left alone.
            for event in outcome.resolved.events {
                let known = try Bool.fetchOne(db, sql: """
                    SELECT EXISTS(SELECT 1 FROM events WHERE tenant_id = ? AND resource_id = ? AND time_ms = ? AND kind = ? AND message = ?)
                    """, arguments: [tenantID, event.resourceID, event.timeMs, event.kind.rawValue, event.message]) ?? false
                guard !known else { continue }
                _ = try Self.insertEvent(db, tenantID: tenantID, resourceID: event.resourceID, timeMs: event.timeMs, kind: event.kind,
                                         severity: event.severity, message: event.message, source: "import")
                outcome.eventsAdded += 1
            }
            for series in outcome.resolved.series {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO series (id, tenant_id, resource_id, metric, type, labels, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [series.id.int64, tenantID, series.resourceID, series.metric, series.type.name, LabelsJSON.encode(series.labels), nowMs])
                outcome.seriesCreated += db.changesCount
            }
            return outcome
        }
    }

    /// Inserts or updates one imported resource. Its lifetime starts at the earliest time the document gives for it
    /// (so PromQL's `strata_resource_info` covers its imported history), never later than now. Nothing reports on it, so
    /// its availability is `unknown` from now (`availability_ms`): an imported server is retired like a discovered one
    /// only once it has been unknown for `retire_servers_after`.
    static func importResource(_ db: Database, tenantID: String, _ resource: ResolvedImport.Resource, nowMs: Int64, into outcome: inout ImportOutcome) throws {
        let since = min(nowMs, resource.earliestMs ?? nowMs)
        guard let existing = try Row.fetchOne(db, sql: "SELECT name, parent_id, properties, platform_id, created_ms, removed_ms FROM resources WHERE id = ?",
                                              arguments: [resource.id]) else {
            try db.execute(sql: """
                INSERT INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, availability_ms, created_ms,
                                       updated_ms, platform_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [resource.id, tenantID, resource.kind.rawValue, resource.key, resource.name, resource.parentID,
                                 resource.propertiesJSON ?? "{}", Availability.unknown.rawValue, nowMs, since, nowMs, resource.platformID])
            let summary = "\(resource.kind.rawValue) \(resource.name) imported"
            outcome.events.append(try insertEvent(db, tenantID: tenantID, InventoryEvent(resourceID: resource.id, kind: .discovered, message: summary), timeMs: nowMs))
            outcome.events += try admit(db, tenantID: tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name, change: .new,
                                        summary: summary, nowMs: nowMs)
            outcome.created += 1
            return
        }
        let oldProperties: String = existing["properties"]
        let properties = resource.propertiesJSON ?? oldProperties
        let created: Int64 = existing["created_ms"]
        let removed: Int64? = existing["removed_ms"]
        guard existing["name"] != resource.name || existing["parent_id"] != resource.parentID || properties != oldProperties
                || existing["platform_id"] != resource.platformID || since < created || removed != nil else {
            outcome.unchanged += 1
            return
        }
        try db.execute(sql: """
            UPDATE resources SET name = ?, parent_id = ?, properties = ?, platform_id = ?, created_ms = ?, updated_ms = ?, removed_ms = NULL,
                availability = CASE WHEN removed_ms IS NULL THEN availability ELSE 'unknown' END
            WHERE id = ?
            """, arguments: [resource.name, resource.parentID, properties, resource.platformID, min(created, since), nowMs, resource.id])
        outcome.updated += 1
        guard properties != oldProperties else { return }
        let changes = PropertyChanges.between((try? PropertyValue(json: oldProperties)) ?? .map([]), (try? PropertyValue(json: properties)) ?? .map([]))
        guard let event = PropertyChanges.event(resourceID: resource.id, kind: resource.kind, name: resource.name, changes: changes) else { return }
        outcome.events.append(try insertEvent(db, tenantID: tenantID, event, timeMs: nowMs))
        outcome.events += try admit(db, tenantID: tenantID, resourceID: resource.id, kind: resource.kind, name: resource.name, change: .changed,
                                    summary: changes.joined(separator: "; "), nowMs: nowMs)
    }

    /// Records one imported relation (active, with its evidence); a guest has one `runs-in`, so another one it had
    /// goes. Returns whether anything changed.
    static func importRelation(_ db: Database, tenantID: String, sourceID: String, _ relation: (kind: RelationKind, targetID: String, evidence: String),
                               nowMs: Int64) throws -> Bool {
        let row = try Row.fetchOne(db, sql: "SELECT evidence, active FROM relations WHERE source_id = ? AND target_id = ? AND kind = ?",
                                   arguments: [sourceID, relation.targetID, relation.kind.rawValue])
        if let row, row["evidence"] == relation.evidence, row["active"] == true { return false }
        if relation.kind == .runsIn {
            try db.execute(sql: "DELETE FROM relations WHERE source_id = ? AND kind = ? AND target_id != ?",
                           arguments: [sourceID, RelationKind.runsIn.rawValue, relation.targetID])
        }
        try db.execute(sql: """
            INSERT INTO relations (tenant_id, source_id, target_id, kind, evidence, active, created_ms, seen_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT(source_id, target_id, kind) DO UPDATE SET evidence = excluded.evidence, active = 1, seen_ms = excluded.seen_ms
            """, arguments: [tenantID, sourceID, relation.targetID, relation.kind.rawValue, relation.evidence, nowMs, nowMs])
        return true
    }

    /// Records one imported stay of a VM in `vm_homes` (its home history) or `placements` (its listings): kept when a
    /// row says exactly that already, else the rows it overlaps give way to it. Returns whether anything changed.
    static func importSpan(_ db: Database, tenantID: String, _ span: HomeSpan, table: String) throws -> Bool {
        let overlapping = try Row.fetchAll(db, sql: """
            SELECT id, hypervisor_id, from_ms, to_ms FROM \(table) WHERE vm_id = ? AND from_ms < ? AND (to_ms IS NULL OR to_ms > ?)
            """, arguments: [span.vmID, span.toMs ?? .max, span.fromMs])
        if overlapping.count == 1, let row = overlapping.first, row["hypervisor_id"] == span.hypervisorID, row["from_ms"] == span.fromMs,
           (row["to_ms"] as Int64?) == span.toMs {
            return false
        }
        for row in overlapping { try db.execute(sql: "DELETE FROM \(table) WHERE id = ?", arguments: [row["id"] as Int64]) }
        if table == "placements" {
            try db.execute(sql: """
                INSERT INTO placements (tenant_id, vm_id, hypervisor_id, from_ms, to_ms, state, fingerprint, seen_ms) VALUES (?, ?, ?, ?, ?, ?, '', ?)
                """, arguments: [tenantID, span.vmID, span.hypervisorID, span.fromMs, span.toMs, "running",
                                 span.toMs ?? span.fromMs])
        } else {
            try db.execute(sql: "INSERT INTO vm_homes (tenant_id, vm_id, hypervisor_id, from_ms, to_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [tenantID, span.vmID, span.hypervisorID, span.fromMs, span.toMs])
        }
        return true
    }
}
