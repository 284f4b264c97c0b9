import StrataCore

/// The type of a remote-written series: its family's type from Prometheus's metadata when the family is known
/// (a histogram's `_bucket`, `_count` and `_sum` series are `histogram`, a summary's quantiles, `_count` and
/// `_sum` are `summary`), else what its name and labels say: `_bucket` with `le` a histogram, a `quantile` label
/// a summary, `_total`, `_count` and `_sum` counters (they only grow), anything else a gauge.
public enum SeriesTyping {
    /// The type of series `metric` with `labels`, given the tenant's known family types.
    public static func type(metric: String, labels: Labels, families: [String: MetricType]) -> MetricType {
        if let known = families[metric] { return known }
        for suffix in ["_bucket", "_count", "_sum"] where metric.hasSuffix(suffix) {
            let family = String(metric.dropLast(suffix.count))
            if let known = families[family], known == .histogram || known == .summary { return known }
        }
        if metric.hasSuffix("_total"), families[String(metric.dropLast(6))] == .counter { return .counter }
        if metric.hasSuffix("_bucket"), labels["le"] != nil { return .histogram }
        if labels["quantile"] != nil { return .summary }
        if metric.hasSuffix("_total") || metric.hasSuffix("_count") || metric.hasSuffix("_sum") { return .counter }
        return .gauge
    }

    /// The series names of a family of `type`: itself, and `_bucket`/`_count`/`_sum` for a histogram or a
    /// summary, `_total` for a counter (OpenMetrics names a counter's family without it).
    public static func seriesNames(family: String, type: MetricType) -> [String] {
        switch type {
        case .histogram, .summary: [family, family + "_bucket", family + "_count", family + "_sum"]
        case .counter: family.hasSuffix("_total") ? [family] : [family, family + "_total"]
        case .gauge: [family]
        }
    }
}
