import StrataCore

/// One value of a series at one time, in milliseconds: the storage's `Sample` under PromQL's names, so the
/// samples a query reads become the points it evaluates without a copy.
public typealias Point = Sample

extension Sample {
    /// Creates a point.
    @inlinable public init(t: Int64, v: Double) { self.init(t, v) }

    /// Unix time in milliseconds.
    @inlinable public var t: Int64 {
        get { timestampMs }
        set { timestampMs = newValue }
    }

    /// The value.
    @inlinable public var v: Double {
        get { value }
        set { value = newValue }
    }
}

/// A series of a range-vector or matrix answer: labels and points in time order.
public struct Series: Sendable {
    /// The series' labels.
    public var labels: Labels
    /// Its points, oldest first.
    public var points: [Point]

    /// Creates a series.
    public init(labels: Labels, points: [Point]) {
        self.labels = labels
        self.points = points
    }
}

/// One element of an instant vector: a series' labels with one value at one time.
public struct InstantSample: Sendable {
    /// The series' labels.
    public var labels: Labels
    /// The time of the value (an instant query's evaluation time).
    public var t: Int64
    /// The value.
    public var v: Double

    /// Creates a sample.
    public init(labels: Labels, t: Int64, v: Double) {
        self.labels = labels
        self.t = t
        self.v = v
    }
}

/// What a query answers, by Prometheus's `resultType`.
public enum QueryValue: Sendable {
    /// An instant query of an instant-vector expression.
    case vector([InstantSample])
    /// A range query, or an instant query of a range-vector expression (`x[5m]`, a subquery).
    case matrix([Series])
    /// An instant query of a scalar expression.
    case scalar(Point)
    /// An instant query of a string literal.
    case string(String, t: Int64)

    /// Prometheus's name of the value's type: `vector`, `matrix`, `scalar` or `string`.
    public var resultType: String {
        switch self {
        case .vector: return "vector"
        case .matrix: return "matrix"
        case .scalar: return "scalar"
        case .string: return "string"
        }
    }
}
