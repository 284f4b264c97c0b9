import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

/// The series of remote-written scrape targets, found by their labels in the time-series store: the catalog
/// keeps one row per target (which resource it joined), not one per series, so a Prometheus sending 100k
/// series adds no 100k SQLite rows. Types come from the family's metadata or the series' name.
struct RemoteSeriesLookup {
    let catalog: any Catalog
    let querier: any Querier
    /// How long listing a resource's series may take.
    static let timeout: Duration = .seconds(10)

    /// Every series of the targets that joined `resourceID`.
    func series(tenant: String, resourceID: String) async throws -> [SeriesRecord] {
        let targets = try await catalog.remoteTargets(tenantID: tenant, resourceID: resourceID)
        guard !targets.isEmpty else { return [] }
        let store = try TenantQuerier(querier, tenant: tenant)
        let families = try await catalog.metricFamilies(tenantID: tenant)
        let budget = QueryBudget(timeout: Self.timeout)
        var records: [SeriesRecord] = []
        for target in targets {
            for (id, labels) in try await store.select(try Self.matchers(target), budget: budget) {
                records.append(Self.record(id: id, labels: labels, tenant: tenant, resourceID: resourceID, families: families))
            }
        }
        return records
    }

    /// Series `id` if it is a remote-written series of `tenant` whose target joined a resource.
    func series(tenant: String, id: StableID) async throws -> SeriesRecord? {
        let store = try TenantQuerier(querier, tenant: tenant)
        guard let labels = await store.labels(of: id), labels[Self.agentLabel] == nil,
              let owner = try await catalog.remoteTargetOwner(tenantID: tenant, target: ScrapeTarget(labels: labels)) else { return nil }
        return Self.record(id: id, labels: labels, tenant: tenant, resourceID: owner, families: try await catalog.metricFamilies(tenantID: tenant))
    }

    /// Agents' series carry this label; remote-written ones do not.
    static let agentLabel = "resource_id"

    /// The selector of a target's series: its job, instance and host label exactly (a missing one matches
    /// only series without it), and not an agent's series.
    static func matchers(_ target: ScrapeTarget) throws -> [LabelMatcher] {
        [try LabelMatcher("job", .equal, target.job ?? ""), try LabelMatcher("instance", .equal, target.instance ?? ""),
         try LabelMatcher("host", .equal, target.hostLabel ?? ""), try LabelMatcher(agentLabel, .equal, "")]
    }

    static func record(id: StableID, labels: Labels, tenant: String, resourceID: String, families: [String: MetricType]) -> SeriesRecord {
        let metric = labels[Labels.metricName] ?? ""
        return SeriesRecord(id: id, tenantID: tenant, resourceID: resourceID, metric: metric,
                            type: SeriesTyping.type(metric: metric, labels: labels, families: families),
                            labels: Labels(labels.pairs.filter { $0.name != Labels.metricName }))
    }
}
