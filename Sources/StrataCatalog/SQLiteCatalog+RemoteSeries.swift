import GRDB
import StrataCore
import StrataInventory

/// Remote-written series join the inventory (see StrataInventory's `TargetMatcher`): the server or platform an
/// agent found for their target, else a `source` resource of their own, which joins a server or platform as soon
/// as one is found for it (`rehomeRemoteSources`).
extension SQLiteCatalog {
    public func attachRemoteSeries(tenantID: String, series: [(id: StableID, labels: Labels)], nowMs: Int64) async throws -> [EventRecord] {
        let targets = Set(series.map { ScrapeTarget(labels: $0.labels) })
        guard !targets.isEmpty else { return [] }
        return try await pool.write { db in
            var events: [EventRecord] = []
            var candidates: (platforms: [TargetMatcher.Platform], servers: [TargetMatcher.Server])?
            // One row per scrape target, not per series: the series are found by their labels when listed.
            for target in targets where try Self.targetOwner(db, tenantID: tenantID, target: target) == nil {
                if candidates == nil { candidates = try Self.targetCandidates(db, tenantID: tenantID) }
                let resourceID: String
                switch TargetMatcher.owner(of: target, platforms: candidates!.platforms, servers: candidates!.servers) {
                case .server(let id), .platform(let id):
                    resourceID = id
                case .source:
                    let (id, discovered) = try Self.source(db, tenantID: tenantID, target: target, nowMs: nowMs)
                    resourceID = id
                    events += discovered
                }
                try db.execute(sql: """
                    INSERT OR IGNORE INTO remote_targets (tenant_id, job, instance, host, resource_id, created_ms) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [tenantID, target.job ?? "", target.instance ?? "", target.hostLabel ?? "", resourceID, nowMs])
            }
            return events
        }
    }

    public func remoteTargets(tenantID: String, resourceID: String) async throws -> [ScrapeTarget] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT job, instance, host FROM remote_targets WHERE tenant_id = ? AND resource_id = ? ORDER BY job, instance, host",
                             arguments: [tenantID, resourceID])
                .map { ScrapeTarget(job: $0["job"], instance: $0["instance"], hostLabel: $0["host"]) }
        }
    }

    public func remoteTargetOwner(tenantID: String, target: ScrapeTarget) async throws -> String? {
        try await pool.read { db in try Self.targetOwner(db, tenantID: tenantID, target: target) }
    }

    public func metricFamilies(tenantID: String) async throws -> [String: MetricType] {
        try await pool.read { db in try Self.familyTypes(db, tenantID: tenantID) }
    }

    /// The resource `target` joined, if it was seen.
    static func targetOwner(_ db: Database, tenantID: String, target: ScrapeTarget) throws -> String? {
        try String.fetchOne(db, sql: "SELECT resource_id FROM remote_targets WHERE tenant_id = ? AND job = ? AND instance = ? AND host = ?",
                            arguments: [tenantID, target.job ?? "", target.instance ?? "", target.hostLabel ?? ""])
    }

    public func rehomeRemoteSources(nowMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            // Targets that joined a source (nothing found) or only a platform (no server yet) are looked at again.
            let rows = try Row.fetchAll(db, sql: """
                SELECT t.tenant_id, t.job, t.instance, t.host, t.resource_id, r.kind, r.name FROM remote_targets t
                JOIN resources r ON r.id = t.resource_id WHERE r.kind IN ('source', 'platform')
                """)
            var events: [EventRecord] = []
            var candidates: [String: (platforms: [TargetMatcher.Platform], servers: [TargetMatcher.Server])] = [:]
            for row in rows {
                let tenantID: String = row["tenant_id"]
                let currentID: String = row["resource_id"]
                let target = ScrapeTarget(job: row["job"], instance: row["instance"], hostLabel: row["host"])
                if candidates[tenantID] == nil { candidates[tenantID] = try Self.targetCandidates(db, tenantID: tenantID) }
                let known = candidates[tenantID]!
                let ownerID: String
                switch TargetMatcher.owner(of: target, platforms: known.platforms, servers: known.servers) {
                case .server(let id), .platform(let id): ownerID = id
                case .source: continue
                }
                guard ownerID != currentID else { continue }
                try db.execute(sql: "UPDATE remote_targets SET resource_id = ? WHERE tenant_id = ? AND job = ? AND instance = ? AND host = ?",
                               arguments: [ownerID, tenantID, row["job"] as String, row["instance"] as String, row["host"] as String])
                let was = "\(row["kind"] as String) \(row["name"] as String)"
                if row["kind"] as String == "source",
                   try Int.fetchOne(db, sql: "SELECT count(*) FROM remote_targets WHERE resource_id = ?", arguments: [currentID]) == 0 {
                    // The source's history moves with it (and rows of series attached one by one by earlier versions).
                    for sql in ["UPDATE events SET resource_id = ? WHERE tenant_id = ? AND resource_id = ?",
                                "UPDATE series SET resource_id = ? WHERE tenant_id = ? AND resource_id = ?"] {
                        try db.execute(sql: sql, arguments: [ownerID, tenantID, currentID])
                    }
                    try Self.deleteResourceRows(db, id: currentID)
                }
                let owner = try Row.fetchOne(db, sql: "SELECT kind, name FROM resources WHERE id = ?", arguments: [ownerID])
                let ownerName = "\(owner?["kind"] as String? ?? "resource") \(owner?["name"] as String? ?? ownerID)"
                events.append(try Self.insertEvent(db, tenantID: tenantID, resourceID: ownerID, timeMs: nowMs, kind: .discovered, severity: .info,
                                                   message: "remote-written target \(target.sourceKey) joined \(ownerName) with its series (was \(was))"))
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
