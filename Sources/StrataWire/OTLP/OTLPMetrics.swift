/// An OTLP `ExportMetricsServiceRequest` (opentelemetry-proto v1) as decoded from protobuf or OTLP/JSON: the
/// parts Strata maps to series. Scopes are flattened away (Prometheus's translator ignores them too);
/// exemplars, start times, min/max and metadata are not kept.
public struct OTLPMetricsRequest: Sendable, Equatable {
    /// One entry per `ResourceMetrics`.
    public var resources: [OTLPResourceMetrics] = []

    /// Creates a request.
    public init(resources: [OTLPResourceMetrics] = []) { self.resources = resources }
}

/// The metrics of one resource (one process, say) with the resource's attributes.
public struct OTLPResourceMetrics: Sendable, Equatable {
    /// `Resource.attributes` in the sender's order.
    public var attributes: [OTLPAttribute] = []
    /// Every metric of every scope of the resource.
    public var metrics: [OTLPMetric] = []

    /// Creates a resource's metrics.
    public init(attributes: [OTLPAttribute] = [], metrics: [OTLPMetric] = []) {
        self.attributes = attributes
        self.metrics = metrics
    }

    /// The value of the attribute `key`, if present.
    public func attribute(_ key: String) -> OTLPValue? { attributes.first { $0.key == key }?.value }
}

/// A key and a value (`KeyValue`).
public struct OTLPAttribute: Sendable, Equatable {
    public var key: String
    public var value: OTLPValue

    /// Creates an attribute.
    public init(_ key: String, _ value: OTLPValue) {
        self.key = key
        self.value = value
    }
}

/// An attribute value (`AnyValue`); nesting is bounded by the decoders (`OTLPLimits.maxValueDepth`).
public indirect enum OTLPValue: Sendable, Equatable {
    case empty
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case bytes([UInt8])
    case array([OTLPValue])
    case keyValues([OTLPAttribute])
}

/// `AggregationTemporality`: how a sum or histogram point relates to earlier ones.
public enum OTLPTemporality: Int, Sendable, Equatable {
    case unspecified = 0
    /// Each point covers only its own interval.
    case delta = 1
    /// Each point covers everything since the start time.
    case cumulative = 2
}

/// One metric: its name, unit and description and its points.
public struct OTLPMetric: Sendable, Equatable {
    public var name = ""
    public var description = ""
    public var unit = ""
    public var data = OTLPMetricData.none

    /// Creates a metric.
    public init(name: String = "", description: String = "", unit: String = "", data: OTLPMetricData = .none) {
        self.name = name
        self.description = description
        self.unit = unit
        self.data = data
    }
}

/// The `data` oneof of a metric.
public enum OTLPMetricData: Sendable, Equatable {
    /// No data field (or one Strata does not know): nothing to store.
    case none
    case gauge([OTLPNumberPoint])
    case sum([OTLPNumberPoint], temporality: OTLPTemporality, monotonic: Bool)
    case histogram([OTLPHistogramPoint], temporality: OTLPTemporality)
    case exponentialHistogram([OTLPExponentialHistogramPoint], temporality: OTLPTemporality)
    case summary([OTLPSummaryPoint])
}

/// `DataPointFlags`.
public enum OTLPFlags {
    /// `FLAG_NO_RECORDED_VALUE_MASK`: the point says the series has no value any more (stored as a staleness marker).
    public static let noRecordedValue: UInt32 = 1
}

/// A gauge or sum point (`NumberDataPoint`); an `as_int` value is held as a double, as Prometheus holds it.
public struct OTLPNumberPoint: Sendable, Equatable {
    public var attributes: [OTLPAttribute] = []
    public var timeUnixNano: UInt64 = 0
    public var value = 0.0
    public var flags: UInt32 = 0

    /// Creates a point.
    public init(attributes: [OTLPAttribute] = [], timeUnixNano: UInt64 = 0, value: Double = 0, flags: UInt32 = 0) {
        self.attributes = attributes
        self.timeUnixNano = timeUnixNano
        self.value = value
        self.flags = flags
    }
}

/// A histogram point with explicit bounds (`HistogramDataPoint`): `bucketCounts[i]` counts values in
/// (`bounds[i-1]`, `bounds[i]`], the last one those above the last bound.
public struct OTLPHistogramPoint: Sendable, Equatable {
    public var attributes: [OTLPAttribute] = []
    public var timeUnixNano: UInt64 = 0
    public var count: UInt64 = 0
    public var sum: Double?
    public var bucketCounts: [UInt64] = []
    public var bounds: [Double] = []
    public var flags: UInt32 = 0

    /// Creates a point.
    public init(attributes: [OTLPAttribute] = [], timeUnixNano: UInt64 = 0, count: UInt64 = 0, sum: Double? = nil,
                bucketCounts: [UInt64] = [], bounds: [Double] = [], flags: UInt32 = 0) {
        self.attributes = attributes
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.bucketCounts = bucketCounts
        self.bounds = bounds
        self.flags = flags
    }
}

/// One side of an exponential histogram: `counts[k]` counts values in (base^(offset+k), base^(offset+k+1)].
public struct OTLPExponentialBuckets: Sendable, Equatable {
    public var offset: Int32 = 0
    public var counts: [UInt64] = []

    /// Creates buckets.
    public init(offset: Int32 = 0, counts: [UInt64] = []) {
        self.offset = offset
        self.counts = counts
    }
}

/// An exponential histogram point: bucket bounds are powers of base = 2^(2^-scale).
public struct OTLPExponentialHistogramPoint: Sendable, Equatable {
    public var attributes: [OTLPAttribute] = []
    public var timeUnixNano: UInt64 = 0
    public var count: UInt64 = 0
    public var sum: Double?
    public var scale: Int32 = 0
    public var zeroCount: UInt64 = 0
    public var zeroThreshold = 0.0
    public var positive = OTLPExponentialBuckets()
    public var negative = OTLPExponentialBuckets()
    public var flags: UInt32 = 0

    /// Creates a point.
    public init(attributes: [OTLPAttribute] = [], timeUnixNano: UInt64 = 0, count: UInt64 = 0, sum: Double? = nil, scale: Int32 = 0,
                zeroCount: UInt64 = 0, positive: OTLPExponentialBuckets = .init(), negative: OTLPExponentialBuckets = .init()) {
        self.attributes = attributes
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.scale = scale
        self.zeroCount = zeroCount
        self.positive = positive
        self.negative = negative
    }
}

/// A summary point: count, sum and quantiles.
public struct OTLPSummaryPoint: Sendable, Equatable {
    public var attributes: [OTLPAttribute] = []
    public var timeUnixNano: UInt64 = 0
    public var count: UInt64 = 0
    public var sum = 0.0
    /// (quantile, value) pairs.
    public var quantiles: [OTLPQuantile] = []
    public var flags: UInt32 = 0

    /// Creates a point.
    public init(attributes: [OTLPAttribute] = [], timeUnixNano: UInt64 = 0, count: UInt64 = 0, sum: Double = 0, quantiles: [OTLPQuantile] = []) {
        self.attributes = attributes
        self.timeUnixNano = timeUnixNano
        self.count = count
        self.sum = sum
        self.quantiles = quantiles
    }
}

/// `ValueAtQuantile`.
public struct OTLPQuantile: Sendable, Equatable {
    public var quantile: Double
    public var value: Double

    /// Creates a quantile value.
    public init(quantile: Double, value: Double) {
        self.quantile = quantile
        self.value = value
    }
}

/// Bounds the decoders enforce on hostile input beyond the body size.
public enum OTLPLimits {
    /// Deepest nesting of array and key-value-list attribute values.
    public static let maxValueDepth = 16
}

/// Why an OTLP body did not decode.
public struct OTLPDecodeError: Error, Equatable, CustomStringConvertible {
    /// What is wrong, for the client.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
