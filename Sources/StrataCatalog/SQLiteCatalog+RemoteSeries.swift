import GRDB
import StrataCore
import StrataInventory

extension SQLiteCatalog {
    public func attachRemoteSeries(tenantID: String, series: [(id: StableID, labels: Labels)], nowMs: Int64) async throws -> [EventRecord] {
        try await pool.write { db in
            var events: [EventRecord] = []
            var platforms: [String: String?] = [:]
            for item in series {
                let resourceID: String
                let host = RemoteSeriesOwner.host(of: item.labels)
                let platform: String?
                if let host {
                    if let cached = platforms[host] {
                        platform = cached
                    } else {
                        platform = try String.fetchOne(db, sql: """
                            SELECT id FROM resources WHERE tenant_id = ? AND kind = 'platform' AND lower(name) IN (?, ?)
                            ORDER BY updated_ms DESC LIMIT 1
                            """, arguments: [tenantID, host, RemoteSeriesOwner.shortName(host)])
                        platforms[host] = platform
                    }
                } else {
                    platform = nil
                }
                if let platform {
                    resourceID = platform
                } else {
                    let key = RemoteSeriesOwner.sourceKey(of: item.labels)
                    resourceID = StableID.resource(tenant: tenantID, kind: .source, key: key).description
                    try db.execute(sql: """
                        INSERT OR IGNORE INTO resources (id, tenant_id, kind, natural_key, name, parent_id, properties, availability, created_ms, updated_ms)
                        VALUES (?, ?, 'source', ?, ?, NULL, '{}', 'unknown', ?, ?)
                        """, arguments: [resourceID, tenantID, key, RemoteSeriesOwner.sourceName(of: item.labels), nowMs, nowMs])
                    if db.changesCount > 0 {
                        events.append(try Self.insertEvent(db, tenantID: tenantID, resourceID: resourceID, timeMs: nowMs, kind: .discovered,
                                                           severity: .info, message: "source \(key) discovered from remote write"))
                    }
                }
                let metric = item.labels[Labels.metricName] ?? ""
                let labels = Labels(item.labels.visible.pairs.filter { $0.name != Labels.metricName })
                try db.execute(sql: """
                    INSERT OR IGNORE INTO series (id, tenant_id, resource_id, metric, type, labels, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [item.id.int64, tenantID, resourceID, metric, metric.hasSuffix("_total") ? "counter" : "gauge",
                                     LabelsJSON.encode(labels), nowMs])
            }
            return events
        }
    }
}

/// How a remote-written series names the resource it belongs to.
enum RemoteSeriesOwner {
    /// The host from `host`, else from `instance` without its port (`[::1]:9100` → `::1`), lower-cased.
    static func host(of labels: Labels) -> String? {
        if let host = labels["host"], !host.isEmpty { return host.lowercased() }
        guard let instance = labels["instance"], !instance.isEmpty else { return nil }
        if instance.hasPrefix("["), let close = instance.firstIndex(of: "]") {
            return String(instance[instance.index(after: instance.startIndex)..<close]).lowercased()
        }
        let parts = instance.split(separator: ":", omittingEmptySubsequences: false)
        return (parts.count == 2 ? String(parts[0]) : instance).lowercased()
    }

    /// `db1.example.com` → `db1`; addresses stay whole.
    static func shortName(_ host: String) -> String {
        if host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { return host }
        return String(host.split(separator: ".").first ?? Substring(host))
    }

    /// `job/instance` (a missing label is `-`).
    static func sourceKey(of labels: Labels) -> String {
        (labels["job"] ?? "-") + "/" + (labels["instance"] ?? labels["host"] ?? "-")
    }

    /// The instance, else the job, else "remote write".
    static func sourceName(of labels: Labels) -> String {
        labels["instance"] ?? labels["host"] ?? labels["job"] ?? "remote write"
    }
}
