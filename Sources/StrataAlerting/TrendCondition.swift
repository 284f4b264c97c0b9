/// "Will cross `threshold` within `horizonMs`": a trend fitted to the trailing `windowMs` of a metric (`TrendFit`:
/// line, parabola or exponential, whichever fits best) is projected forward; the condition holds while the projected
/// crossing lies within the horizon. The alert's value is the seconds until the crossing.
public struct TrendCondition: Sendable, Equatable {
    /// The metric name.
    public var metric: String
    /// Only series whose labels carry these values.
    public var labels: [String: String]
    /// `>`/`>=` watch a rise to the threshold, `<`/`<=` a fall.
    public var op: ComparisonOperator
    public var threshold: Double
    /// How far ahead a crossing counts.
    public var horizonMs: Int64
    /// How much history the fit uses.
    public var windowMs: Int64
    /// The fewest samples in the window before anything is projected.
    public var minSamples: Int

    /// A trend condition.
    public init(metric: String, labels: [String: String] = [:], op: ComparisonOperator, threshold: Double, horizonMs: Int64,
                windowMs: Int64, minSamples: Int = 10) {
        self.metric = metric
        self.labels = labels
        self.op = op
        self.threshold = threshold
        self.horizonMs = max(0, horizonMs)
        self.windowMs = max(1, windowMs)
        self.minSamples = max(3, minSamples)
    }

    /// Whether the condition watches a rise (else a fall).
    public var rising: Bool { op == .greater || op == .greaterOrEqual }
}

/// What a trend condition keeps of one series: its samples within the window (at most `maxSamples`, thinned evenly
/// when more arrive, so memory stays bounded however often the metric is reported).
public struct TrendState: Sendable {
    private var points: [(timestampMs: Int64, value: Double)] = []
    public static let maxSamples = 1_024

    /// Empty state.
    public init() {}

    /// A projection: the fitted model and when it crosses (Unix ms), nil when it does not within the horizon.
    public struct Projection: Sendable, Equatable {
        public var model: TrendFit.Model
        public var crossingMs: Int64?
    }

    /// Takes a sample and projects; nil while there are fewer than `minSamples` in the window or no fit.
    public mutating func add(timestampMs: Int64, value: Double, condition: TrendCondition) -> Projection? {
        guard remember(timestampMs: timestampMs, value: value, condition: condition) else { return nil }
        guard points.count >= condition.minSamples, let fit = TrendFit.best(points) else { return nil }
        let horizon = Double(condition.horizonMs) / 1000
        let seconds = fit.crossing(condition.threshold, rising: condition.rising, within: horizon)
        let crossing = seconds.map { timestampMs.addingReportingOverflow(Int64(min(($0 * 1000).rounded(), 9.0e18))).partialValue }
        return Projection(model: fit.model, crossingMs: crossing)
    }

    /// Keeps a sample without projecting (stored history read back after a restart); false when it is not kept
    /// (not finite, or not after the last one).
    @discardableResult
    public mutating func remember(timestampMs: Int64, value: Double, condition: TrendCondition) -> Bool {
        guard value.isFinite else { return false }
        if let last = points.last, timestampMs <= last.timestampMs { return false }
        points.append((timestampMs, value))
        let (oldest, overflow) = timestampMs.subtractingReportingOverflow(condition.windowMs)
        if !overflow, let cut = points.firstIndex(where: { $0.timestampMs >= oldest }), cut > 0 { points.removeFirst(cut) }
        if points.count > Self.maxSamples {
            // Every other sample of the older half goes: the recent past keeps full detail.
            let half = points.count / 2
            points = points[..<half].enumerated().filter { $0.offset % 2 == 0 }.map(\.element) + points[half...]
        }
        return true
    }
}
