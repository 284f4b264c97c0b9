/// A metric family's metadata as Prometheus remote-writes it: its type, help and unit.
public struct MetricMetadata: Sendable, Equatable {
    /// The family name: `http_requests_total` for a counter, `request_seconds` for the histogram whose series
    /// are `request_seconds_bucket`, `_count` and `_sum`.
    public var family: String
    /// The family's type; Prometheus's unknown, info, stateset and gauge-histogram types are gauges here.
    public var type: MetricType
    public var help: String
    public var unit: String

    public init(family: String, type: MetricType, help: String = "", unit: String = "") {
        self.family = family
        self.type = type
        self.help = help
        self.unit = unit
    }
}
