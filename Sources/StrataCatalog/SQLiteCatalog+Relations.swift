import GRDB
import StrataCore
import StrataInventory

/// `depends-on` edges: looks up, for each endpoint `DependencyResolver` reads from a server's connections,
/// the platforms with its address and the servers on its port there; stores the edges it decides on.
extension SQLiteCatalog {
    /// Records the edges a server's `connections` property shows. Edges seen before stay, marked inactive
    /// when the connection is gone; a new edge is an event.
    static func updateRelations(_ db: Database, tenantID: String, sourceID: String, sourceName: String, platformID: String?,
                                properties: PropertyValue, nowMs: Int64) throws -> [EventRecord] {
        guard case .list(let connections)? = properties["connections"] else { return [] }
        var targets: [(target: DependencyResolver.Target, endpoint: DependencyResolver.Endpoint)] = []
        for endpoint in DependencyResolver.endpoints(connections.compactMap(\.stringValue)) {
            let platforms: [String]
            if endpoint.isLoopback {
                platforms = platformID.map { [$0] } ?? []
            } else {
                platforms = try String.fetchAll(db, sql: """
                    SELECT DISTINCT r.id FROM resources r, json_each(r.properties, '$.nics') n, json_each(n.value, '$.addresses') a
                    WHERE r.tenant_id = ? AND r.kind = 'platform' AND (a.value = ? OR a.value LIKE ? || '/%')
                    """, arguments: [tenantID, endpoint.address, endpoint.address])
            }
            let servers = try platforms.count == 1 ? Row.fetchAll(db, sql: """
                SELECT DISTINCT s.id, s.name FROM resources s, json_each(s.properties, '$.ports') p
                WHERE s.tenant_id = ? AND s.kind = 'server' AND s.platform_id = ? AND p.value = ?
                """, arguments: [tenantID, platforms[0], endpoint.port]).map { DependencyResolver.Target(id: $0["id"], name: $0["name"]) } : []
            guard let target = DependencyResolver.target(sourceID: sourceID, platformsWithAddress: platforms.count, servers: servers),
                  !targets.contains(where: { $0.target.id == target.id }) else { continue }
            targets.append((target, endpoint))
        }
        var events: [EventRecord] = []
        let dependsOn = RelationKind.dependsOn.rawValue
        try db.execute(sql: "UPDATE relations SET active = 0 WHERE source_id = ? AND kind = ?", arguments: [sourceID, dependsOn])
        for (target, endpoint) in targets {
            let known = try Bool.fetchOne(db, sql: "SELECT 1 FROM relations WHERE source_id = ? AND target_id = ? AND kind = ?",
                                          arguments: [sourceID, target.id, dependsOn]) ?? false
            try db.execute(sql: """
                INSERT INTO relations (tenant_id, source_id, target_id, kind, evidence, active, created_ms, seen_ms) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT(source_id, target_id, kind) DO UPDATE SET evidence = excluded.evidence, active = 1, seen_ms = excluded.seen_ms
                """, arguments: [tenantID, sourceID, target.id, dependsOn, "connection to \(endpoint.text)", nowMs, nowMs])
            if !known {
                let event = DependencyResolver.newEdgeEvent(sourceID: sourceID, sourceName: sourceName, target: target, endpoint: endpoint)
                events.append(try insertEvent(db, tenantID: tenantID, event, timeMs: nowMs))
            }
        }
        return events
    }

    public func relations(tenantID: String, resourceID: String) async throws -> [RelationRecord] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT * FROM relations WHERE tenant_id = ? AND (source_id = ? OR target_id = ?) ORDER BY kind, source_id, target_id
                """, arguments: [tenantID, resourceID, resourceID]).map { row in
                RelationRecord(tenantID: row["tenant_id"], sourceID: row["source_id"], targetID: row["target_id"], kind: RelationKind(rawValue: row["kind"]),
                               evidence: row["evidence"], active: row["active"], createdMs: row["created_ms"], seenMs: row["seen_ms"])
            }
        }
    }
}
