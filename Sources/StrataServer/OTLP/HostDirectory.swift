import StrataCatalog
import StrataCore
import Synchronization

/// Finds the platform resource an OTLP resource's `host.id` / `host.name` names in a tenant's inventory, so its
/// series carry the same `resource_id`, `resource_kind`, `resource_name` labels agent series carry.
///
/// `host.id` (on Linux the machine-id, as OpenTelemetry's semantic conventions define it) matches a platform whose
/// natural key is `machine-id:ID` or `smbios:ID`; else `host.name` matches a platform of that name (case
/// ignored, as host names are) or natural key `hostname:NAME`. Answers are cached for `ttlMs` per tenant and
/// host, so a busy exporter costs one catalog read per host and minute; a platform enrolled later is joined
/// once the cached "no match" expires. The cache holds at most `capacity` entries and starts over when full.
final class HostDirectory: Sendable {
    let catalog: any Catalog
    let ttlMs: Int64
    let capacity: Int
    private let cache = Mutex<[String: (labels: [Label], expiresMs: Int64)]>([:])

    init(catalog: any Catalog, ttlMs: Int64 = 60_000, capacity: Int = 10_000) {
        self.catalog = catalog
        self.ttlMs = ttlMs
        self.capacity = capacity
    }

    /// The join labels for a host of `tenantID`; empty when no platform matches (or neither attribute is given).
    func labels(tenantID: String, hostID: String?, hostName: String?, nowMs: Int64) async throws -> [Label] {
        let hostID = hostID.flatMap { $0.isEmpty ? nil : $0 }
        let hostName = hostName.flatMap { $0.isEmpty ? nil : $0 }
        guard hostID != nil || hostName != nil else { return [] }
        let key = [tenantID, hostID ?? "", hostName ?? ""].joined(separator: "\u{0}")
        if let hit = cache.withLock({ $0[key] }), hit.expiresMs > nowMs { return hit.labels }
        var found: ResourceRecord?
        if let hostID {
            let candidates = try await catalog.resources(tenantID: tenantID, query: ResourceQuery(kind: .platform, text: hostID, limit: 100))
            found = candidates.first { Self.matches($0, hostID: hostID) }
        }
        if found == nil, let hostName {
            let candidates = try await catalog.resources(tenantID: tenantID, query: ResourceQuery(kind: .platform, text: hostName, limit: 100))
            found = candidates.first { Self.matches($0, hostName: hostName) }
        }
        let labels = found.map { [Label("resource_id", $0.id), Label("resource_kind", $0.kind.rawValue), Label("resource_name", $0.name)] } ?? []
        cache.withLock { cache in
            if cache.count >= capacity { cache.removeAll() }
            cache[key] = (labels, nowMs + ttlMs)
        }
        return labels
    }

    /// Whether platform `record` is the host with OpenTelemetry `host.id` `hostID`.
    static func matches(_ record: ResourceRecord, hostID: String) -> Bool {
        let id = hostID.lowercased()
        return record.kind == .platform && (record.naturalKey.lowercased() == "machine-id:" + id || record.naturalKey.lowercased() == "smbios:" + id)
    }

    /// Whether platform `record` is the host named `hostName`.
    static func matches(_ record: ResourceRecord, hostName: String) -> Bool {
        let name = hostName.lowercased()
        return record.kind == .platform && (record.name.lowercased() == name || record.naturalKey.lowercased() == "hostname:" + name)
    }
}
