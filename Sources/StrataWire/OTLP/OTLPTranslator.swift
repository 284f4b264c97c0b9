import StrataCore

/// One series produced from OTLP points: its labels (`__name__` included, tenant not) and samples in the
/// order the points came.
public struct OTLPSeries: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]
}

/// What a request maps to: series, their families' metadata, and the points refused with why.
public struct OTLPTranslation: Sendable, Equatable {
    public var series: [OTLPSeries] = []
    public var metadata: [MetricMetadata] = []
    /// Data points refused (for `partial_success.rejected_data_points`).
    public var rejectedPoints = 0
    /// Why, one message per distinct reason (first few), for `partial_success.error_message`.
    public var problems: [String] = []

    /// The partial-success message: the reasons joined.
    public var errorMessage: String { problems.joined(separator: "; ") }
}

/// Maps OTLP metrics to Prometheus series as Prometheus's OTLP translator does (docs/otlp.md has the table):
/// gauges and non-monotonic sums as gauges, cumulative monotonic sums as counters (`_total`), histograms as
/// `_bucket{le}`/`_sum`/`_count`, exponential histograms as classic buckets at their bucket bounds, summaries
/// as `{quantile}`/`_sum`/`_count`; `service.name` (with `service.namespace/`) is `job`,
/// `service.instance.id` is `instance`, the other resource attributes go to one `target_info` series; point
/// attributes become labels. Delta temporality is refused (each point counted in `rejectedPoints`), as is a
/// point without a time or with malformed buckets. `NO_RECORDED_VALUE` points become staleness markers.
public struct OTLPTranslator: Sendable {
    /// Labels added to every series of the resource at the same index (Strata's inventory join); they win over
    /// every label of the point.
    public var resourceLabels: [Int: [Label]] = [:]
    /// Most distinct problem messages kept.
    static let maxProblems = 5
    /// Most classic buckets an exponential histogram side is converted to (it is downscaled until it fits).
    public static let maxExponentialBuckets = 160

    /// Creates a translator.
    public init(resourceLabels: [Int: [Label]] = [:]) { self.resourceLabels = resourceLabels }

    /// The series of `request`.
    public func translate(_ request: OTLPMetricsRequest) -> OTLPTranslation {
        var builder = Builder()
        for (index, resource) in request.resources.enumerated() {
            builder.resource = Self.resourceIdentity(resource) + (resourceLabels[index] ?? [])
            builder.newestMs = nil
            for metric in resource.metrics { builder.add(metric) }
            builder.addTargetInfo(resource)
        }
        return builder.result
    }

    /// An attribute value as label text (what `host.name` is matched by, say).
    public static func text(_ value: OTLPValue) -> String { OTLPText.labelValue(value) }

    /// `job` and `instance` from the service attributes.
    static func resourceIdentity(_ resource: OTLPResourceMetrics) -> [Label] {
        var labels: [Label] = []
        if let name = resource.attribute("service.name") {
            let namespace = resource.attribute("service.namespace").map(OTLPText.labelValue) ?? ""
            let job = OTLPText.labelValue(name)
            labels.append(Label("job", namespace.isEmpty ? job : namespace + "/" + job))
        }
        if let instance = resource.attribute("service.instance.id") { labels.append(Label("instance", OTLPText.labelValue(instance))) }
        return labels
    }

    /// Attribute labels: sanitised names; values of keys that sanitise alike joined with `;` in key order;
    /// empty values and names starting `__` (Strata's internal labels) left out.
    static func attributeLabels(_ attributes: [OTLPAttribute], excluding excluded: Set<String> = []) -> [Label] {
        var byName: [String: [(key: String, value: String)]] = [:]
        for attribute in attributes where !excluded.contains(attribute.key) {
            let name = OTLPNames.labelName(attribute.key)
            let value = OTLPText.labelValue(attribute.value)
            guard !name.isEmpty, !name.hasPrefix("__"), !value.isEmpty else { continue }
            byName[name, default: []].append((attribute.key, value))
        }
        return byName.map { name, values in
            Label(name, values.count == 1 ? values[0].value : values.sorted { $0.key < $1.key }.map(\.value).joined(separator: ";"))
        }
    }
}
