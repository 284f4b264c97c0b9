import StrataAnalysis
import StrataCatalog
import StrataCore
import StrataTSDB

/// Reads resources' series for analysis through the tenant's querier: each resource's series (by its
/// `resource_id` label) over a span, thinned to about `points` per series (the last sample per step), typed from
/// the catalog (a remote-written `_total` is a counter) and classified by `SignalRoles`.
struct AnalysisReader {
    let catalog: any Catalog
    let reader: TenantQuerier
    let budget: QueryBudget
    /// Points per series at most.
    var points: Int64 = 2_000

    func step(from: Int64, to: Int64) -> Int64 {
        max(60_000, Int64((TimePoint.span(from: from, to: to) / Double(points)).rounded(.up)))
    }

    /// The raw (thinned) points of `resource`'s series whose name matches `names` (a regular expression), by metric.
    func points(of resourceID: String, names: String, from: Int64, to: Int64) async throws -> [(metric: String, points: [TimePoint])] {
        let matchers = [try LabelMatcher("resource_id", .equal, resourceID), try LabelMatcher(Labels.metricName, .matchesRegex, names)]
        let result = try await reader.query(RangeQuery(matchers: matchers, fromMs: from, toMs: to, stepMs: step(from: from, to: to), function: .last),
                                            budget: budget)
        return result.series.map { series in
            (series.labels[Labels.metricName] ?? "", series.points.filter { $0.value.isFinite }.map { TimePoint($0.timestampMs, $0.value) })
        }
    }

    /// The classified series of `resource` over `from...to`.
    func series(of resource: ResourceRecord, tenant: String, from: Int64, to: Int64) async throws -> [SignalRoles.SignalSeries] {
        let matcher = try LabelMatcher("resource_id", .equal, resource.id)
        let result = try await reader.query(RangeQuery(matchers: [matcher], fromMs: from, toMs: to, stepMs: step(from: from, to: to),
                                                       function: .last), budget: budget)
        let types = Dictionary(try await catalog.series(tenantID: tenant, resourceID: resource.id).map { ($0.id, $0.type) }) { a, _ in a }
        let hidden: Set<String> = [Labels.metricName, Labels.tenant, "resource_id", "resource_kind", "resource_name"]
        let inputs = result.series.compactMap { series -> SignalRoles.Input? in
            guard let metric = series.labels[Labels.metricName] else { return nil }
            var labels: [String: String] = [:]
            for label in series.labels.pairs where !hidden.contains(label.name) { labels[label.name] = label.value }
            let type = types[series.id] ?? (metric.hasSuffix("_total") ? .counter : .gauge)
            return SignalRoles.Input(metric: metric, labels: labels, type: type,
                                     points: series.points.filter { $0.value.isFinite }.map { TimePoint($0.timestampMs, $0.value) })
        }
        return SignalRoles.classify(inputs)
    }
}
