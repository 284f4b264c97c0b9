import GRDB
import StrataCore
import StrataInventory

/// Remote-written series join the inventory (see StrataInventory's `TargetMatcher`): the server or platform an
/// agent found for their target, else a `source` resource of their own, which joins a server or platform as soon
/// as one is found for it (`rehomeRemoteSources`).
extension SQLiteCatalog {
    public func attachRemoteSeries(tenantID: String, series: [(id: StableID, labels: Labels)], nowMs: Int64) async throws -> [EventRecord] {
        guard !series.isEmpty else { return [] }
        return try await pool.write { db in
            let candidates = try Self.targetCandidates(db, tenantID: tenantID)
            let families = try Self.familyTypes(db, tenantID: tenantID)
            var events: [EventRecord] = []
            var owners: [ScrapeTarget: String] = [:]
            for item in series {
                let target = ScrapeTarget(labels: item.labels)
                let resourceID: String
                if let known = owners[target] {
                    resourceID = known
                } else {
                    switch TargetMatcher.owner(of: target, platforms: candidates.platforms, servers: candidates.servers) {
                    case .server(let id), .platform(let id):
                        resourceID = id
                    case .source:
                        let (id, discovered) = try Self.source(db, tenantID: tenantID, target: target, nowMs: nowMs)
                        resourceID = id
                        events += discovered
                    }
                    owners[target] = resourceID
                }
                let metric = item.labels[Labels.metricName] ?? ""
                let type = SeriesTyping.type(metric: metric, labels: item.labels, families: families)
                // A series seen again (after a restart) moves to the owner it has now, if a server was found since.
                // Its labels stay in the time-series store only (`labels` ''): at 100k series a second copy here
                // cost more than the samples' own index.
                try db.execute(sql: """
                    INSERT INTO series (id, tenant_id, resource_id, metric, type, labels, created_ms) VALUES (?, ?, ?, ?, ?, '', ?)
                    ON CONFLICT(id) DO UPDATE SET resource_id = excluded.resource_id, type = excluded.type
                    """, arguments: [item.id.int64, tenantID, resourceID, metric, type.name, nowMs])
            }
            return events
        }
    }

    public func rehomeRemoteSources(nowMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            let sources = try Row.fetchAll(db, sql: "SELECT id, tenant_id, natural_key, name, properties FROM resources WHERE kind = 'source'")
            var events: [EventRecord] = []
            var candidates: [String: (platforms: [TargetMatcher.Platform], servers: [TargetMatcher.Server])] = [:]
            for row in sources {
                let tenantID: String = row["tenant_id"]
                let sourceID: String = row["id"]
                let properties = (try? PropertyValue(json: row["properties"])) ?? .map([])
                let target = ScrapeTarget(job: properties["job"]?.stringValue, instance: properties["instance"]?.stringValue,
                                          hostLabel: properties["host"]?.stringValue)
                if candidates[tenantID] == nil { candidates[tenantID] = try Self.targetCandidates(db, tenantID: tenantID) }
                let known = candidates[tenantID]!
                let ownerID: String
                switch TargetMatcher.owner(of: target, platforms: known.platforms, servers: known.servers) {
                case .server(let id), .platform(let id): ownerID = id
                case .source: continue
                }
                try db.execute(sql: "UPDATE series SET resource_id = ? WHERE tenant_id = ? AND resource_id = ?",
                               arguments: [ownerID, tenantID, sourceID])
                let moved = db.changesCount
                try db.execute(sql: "UPDATE events SET resource_id = ? WHERE tenant_id = ? AND resource_id = ?",
                               arguments: [ownerID, tenantID, sourceID])
                let owner = try Row.fetchOne(db, sql: "SELECT kind, name FROM resources WHERE id = ?", arguments: [ownerID])
                let ownerName = "\(owner?["kind"] as String? ?? "resource") \(owner?["name"] as String? ?? ownerID)"
                try Self.deleteResourceRows(db, id: sourceID)
                let name: String = row["name"]
                events.append(try Self.insertEvent(db, tenantID: tenantID, resourceID: ownerID, timeMs: nowMs, kind: .discovered, severity: .info,
                                                   message: "remote-written source \(name) (\(row["natural_key"] as String)) joined \(ownerName): \(moved) series moved"))
            }
            return events
        }
    }

    /// The source resource of `target`, created (with a `discovered` event) when new.
    static func source(_ db: Database, tenantID: String, target: ScrapeTarget, nowMs: Int64) throws -> (String, [EventRecord]) {
        let key = target.sourceKey
        let id = StableID.resource(tenant: tenantID, kind: .source, key: key).description
        var entries: [(key: String, value: PropertyValue)] = []
        if let job = target.job { entries.append(("job", .string(job))) }
        if let instance = target.instance { entries.append(("instance", .string(instance))) }
        if let host = target.host { entries.append(("host", .string(host))) }
        try db.execute(sql: """
            INSERT OR IGNORE INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, created_ms, updated_ms)
            VALUES (?, ?, 'source', ?, ?, NULL, ?, 'unknown', ?, ?)
            """, arguments: [id, tenantID, key, target.sourceName, PropertyValue.map(entries).json, nowMs, nowMs])
        guard db.changesCount > 0 else { return (id, []) }
        return (id, [try insertEvent(db, tenantID: tenantID, resourceID: id, timeMs: nowMs, kind: .discovered, severity: .info,
                                     message: "source \(key) discovered from remote write: no agent reports a server or platform for it")])
    }

    /// A tenant's platforms and servers as the target matcher sees them.
    static func targetCandidates(_ db: Database, tenantID: String) throws -> (platforms: [TargetMatcher.Platform], servers: [TargetMatcher.Server]) {
        var platforms: [TargetMatcher.Platform] = []
        var servers: [TargetMatcher.Server] = []
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, kind, name, properties, platform_id FROM resources
            WHERE tenant_id = ? AND kind IN ('platform', 'server') AND availability != 'retired'
            """, arguments: [tenantID])
        for row in rows {
            let properties = (try? PropertyValue(json: row["properties"])) ?? .map([])
            if row["kind"] as String == "platform" {
                platforms.append(TargetMatcher.Platform(id: row["id"], name: row["name"], properties: properties))
            } else {
                servers.append(TargetMatcher.Server(id: row["id"], platformID: row["platform_id"], properties: properties))
            }
        }
        return (platforms, servers)
    }

    /// A tenant's metric families with known types.
    static func familyTypes(_ db: Database, tenantID: String) throws -> [String: MetricType] {
        var families: [String: MetricType] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT family, type FROM metric_metadata WHERE tenant_id = ?", arguments: [tenantID]) {
            if let type = MetricType(name: row["type"]) { families[row["family"]] = type }
        }
        return families
    }
}
