/// One batch an agent pushes to the server: protocol v1 (`docs/protocol.md`).
///
/// A batch carries the agent's id and a per-agent sequence number; the server acknowledges a batch only
/// once it is durable and ignores a sequence it already has.
public struct AgentBatch: Sendable, Equatable {
    /// Random id the agent generated once and keeps in its data directory.
    public var agentID: String
    /// Per-agent sequence number, starting at 1 and increasing by one per batch.
    public var sequence: UInt64
    /// Wall-clock time the batch was built, in Unix milliseconds.
    public var createdAtMs: Int64
    /// The agent's collection interval in milliseconds; the server uses it to decide availability.
    public var intervalMs: UInt64
    /// The agent's version string.
    public var agentVersion: String
    /// The resources this batch reports on or whose series it carries.
    public var resources: [ResourceReport]
    /// The series and their samples.
    public var series: [SeriesPoints]
    /// Events the agent observed (log records); protocol v2.
    public var events: [AgentEvent] = []
    /// Configuration files that changed since the agent last sent them; protocol v2.
    public var configs: [ConfigSnapshot] = []

    /// Creates a batch.
    public init(agentID: String, sequence: UInt64, createdAtMs: Int64, intervalMs: UInt64,
                agentVersion: String, resources: [ResourceReport], series: [SeriesPoints]) {
        self.agentID = agentID
        self.sequence = sequence
        self.createdAtMs = createdAtMs
        self.intervalMs = intervalMs
        self.agentVersion = agentVersion
        self.resources = resources
        self.series = series
    }

    /// Total number of samples in the batch.
    public var sampleCount: Int { series.reduce(0) { $0 + $1.points.count } }
}

/// A resource as an agent reports it: kind and natural key, with properties when they changed.
public struct ResourceReport: Sendable, Equatable {
    /// What the resource is.
    public var kind: ResourceKind
    /// The natural key its identity derives from (e.g. a platform's machine-id).
    public var key: String
    /// Human name (e.g. hostname).
    public var name: String
    /// Index into the batch's `resources` of the parent, if any.
    public var parentIndex: Int?
    /// Full property tree, or nil when unchanged since the agent last sent it.
    public var properties: PropertyValue?

    /// Creates a report.
    public init(kind: ResourceKind, key: String, name: String, parentIndex: Int? = nil,
                properties: PropertyValue? = nil) {
        self.kind = kind
        self.key = key
        self.name = name
        self.parentIndex = parentIndex
        self.properties = properties
    }
}

/// What a metric is: a gauge, a monotonically increasing counter, or a series of a histogram's or a summary's
/// family (`_bucket`, `_count`, `_sum`, quantiles). Agents report gauges and counters; the family types come
/// from Prometheus's metadata or the series' names.
public enum MetricType: UInt8, Sendable, Codable, CaseIterable {
    case gauge = 0
    case counter = 1
    case histogram = 2
    case summary = 3

    /// The name stored and shown: `gauge`, `counter`, `histogram`, `summary`.
    public var name: String {
        switch self {
        case .gauge: "gauge"
        case .counter: "counter"
        case .histogram: "histogram"
        case .summary: "summary"
        }
    }

    /// The type of a stored name; nil for anything else.
    public init?(name: String) {
        guard let type = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = type
    }
}

/// A timestamped value: Unix milliseconds and a Float64.
public struct Sample: Sendable, Equatable, Hashable {
    /// Unix time in milliseconds.
    public var timestampMs: Int64
    /// The value.
    public var value: Double

    /// Creates a sample.
    public init(_ timestampMs: Int64, _ value: Double) {
        self.timestampMs = timestampMs
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestampMs == rhs.timestampMs && lhs.value.bitPattern == rhs.value.bitPattern
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timestampMs)
        hasher.combine(value.bitPattern)
    }

    /// The bits of Prometheus's staleness marker (`value.StaleNaN`): a NaN that says "this series ended here",
    /// not a value. Any other NaN is a value (e.g. a summary quantile without observations).
    public static let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002

    /// Whether `value` is a staleness marker rather than a value.
    public static func isStaleMarker(_ value: Double) -> Bool { value.bitPattern == staleNaNBits }

    /// Whether this sample is a staleness marker.
    public var isStaleMarker: Bool { Self.isStaleMarker(value) }
}

/// The samples of one series within a batch.
public struct SeriesPoints: Sendable, Equatable {
    /// Index into the batch's `resources`.
    public var resourceIndex: Int
    /// Metric name in Prometheus style, e.g. `cpu_seconds_total`.
    public var metric: String
    /// Gauge or counter.
    public var type: MetricType
    /// Labels beyond the resource, e.g. `mode="idle"`.
    public var labels: Labels
    /// Samples in increasing time order.
    public var points: [Sample]

    /// Creates series points.
    public init(resourceIndex: Int, metric: String, type: MetricType, labels: Labels, points: [Sample]) {
        self.resourceIndex = resourceIndex
        self.metric = metric
        self.type = type
        self.labels = labels
        self.points = points
    }
}
