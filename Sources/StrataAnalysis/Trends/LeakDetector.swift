/// Finds memory leaks: sustained monotonic growth of a memory-like series, judged segment by segment between
/// restarts (given, or seen as a drop of more than `resetDrop` of the level), by a Mann–Kendall test with a
/// Theil–Sen slope, and told apart from a warm-up plateau (growth that stops: the segment's later half is flat).
public enum LeakDetector {
    /// Thresholds.
    public struct Options: Sendable, Hashable {
        /// Fewest points a segment needs to be judged.
        public var minPoints = 20
        /// Significance of the Mann–Kendall test.
        public var alpha = 0.01
        /// A fall by more than this share of the level is a restart.
        public var resetDrop = 0.3
        /// The later half of a segment must still grow at least this share of the whole segment's slope, else the
        /// growth has levelled off (warm-up, a cache filling up).
        public var sustainedShare = 0.35
        /// Growth must add at least this share of the segment's starting level (the median of its first tenth) to
        /// count: a rise of a few MB on a GB-sized process is noise around a step, not a leak.
        public var minRise = 0.05

        /// The defaults.
        public init() {}
    }

    /// What one segment shows.
    public enum Verdict: String, Sendable, Hashable, Codable {
        /// Significant growth that goes on to the segment's end.
        case growing
        /// Significant growth that levelled off.
        case plateau
        /// No significant rise (flat, noisy or falling).
        case noGrowth = "no-growth"
    }

    /// One stretch between restarts, judged.
    public struct Segment: Sendable, Hashable {
        /// First and last time (ms).
        public var start: Int64, end: Int64
        /// What it shows.
        public var verdict: Verdict
        /// Theil–Sen slope, in units per hour.
        public var slopePerHour: Double
        /// Mann–Kendall p-value.
        public var pValue: Double
    }

    /// The finding over the whole series.
    public struct Finding: Sendable, Hashable {
        /// Whether the series leaks: at least half of the judged segments grow to their end.
        public var isLeak: Bool
        /// Each judged segment.
        public var segments: [Segment]
        /// The median slope of the growing segments, in units per hour (0 without any).
        public var slopePerHour: Double
    }

    /// Judges `points` (time order) with `restarts` (times the process started again); throws `InsufficientData`
    /// when no segment has `minPoints` points.
    public static func assess(_ points: [TimePoint], restarts: [Int64] = [], options: Options = Options()) throws(InsufficientData) -> Finding {
        let segments = segments(points.filter { $0.v.isFinite }, restarts: restarts, resetDrop: options.resetDrop)
            .filter { $0.count >= options.minPoints }
        guard !segments.isEmpty else {
            throw InsufficientData("no stretch between restarts has \(options.minPoints) points (the longest has \(Self.segments(points, restarts: restarts, resetDrop: options.resetDrop).map(\.count).max() ?? 0)); collect more history")
        }
        let judged = segments.map { segment in
            let (verdict, slope, p) = judge(segment, options: options)
            return Segment(start: segment[0].t, end: segment[segment.count - 1].t, verdict: verdict, slopePerHour: slope, pValue: p)
        }
        let growing = judged.filter { $0.verdict == .growing }
        let slope = TheilSen.median(growing.map(\.slopePerHour)) ?? 0
        return Finding(isLeak: !growing.isEmpty && 2 * growing.count >= judged.count, segments: judged, slopePerHour: slope)
    }

    /// One segment's verdict, its Theil–Sen slope per hour and its Mann–Kendall p-value.
    static func judge(_ segment: [TimePoint], options: Options) -> (Verdict, Double, Double) {
        let hours = segment.map { (x: TimePoint.span(from: segment[0].t, to: $0.t) / 3_600_000, y: $0.v) }
        guard let trend = MannKendall(segment.map(\.v)), let line = TheilSen(hours) else { return (.noGrowth, 0, 1) }
        guard trend.pValue < options.alpha, trend.s > 0, line.slope > 0 else { return (.noGrowth, line.slope, trend.pValue) }
        // The medians of the segment's tenths: growth must be material and spread over the segment (a step
        // followed by a flat stretch rises in one tenth only).
        let tenths = (0..<10).compactMap { index in
            TheilSen.median(Array(segment[(index * segment.count / 10)..<((index + 1) * segment.count / 10)].map(\.v)))
        }
        guard tenths.count == 10 else { return (.noGrowth, line.slope, trend.pValue) }
        guard tenths[9] - tenths[0] >= options.minRise * abs(tenths[0]) else { return (.noGrowth, line.slope, trend.pValue) }
        let largestStep = zip(tenths.dropFirst(), tenths).map { $0 - $1 }.max() ?? 0
        guard largestStep <= 0.5 * (tenths[9] - tenths[0]) else { return (.plateau, line.slope, trend.pValue) }
        let later = Array(hours[(hours.count / 2)...])
        let laterSlope = TheilSen(later)?.slope ?? 0
        return (laterSlope >= options.sustainedShare * line.slope ? .growing : .plateau, line.slope, trend.pValue)
    }

    /// `points` cut at each restart time and at each fall of more than `resetDrop` of the level.
    static func segments(_ points: [TimePoint], restarts: [Int64], resetDrop: Double) -> [[TimePoint]] {
        let cuts = restarts.sorted()
        var out: [[TimePoint]] = []
        var current: [TimePoint] = []
        var nextCut = 0
        for point in points {
            var cut = false
            while nextCut < cuts.count, cuts[nextCut] <= point.t {
                if !current.isEmpty, current.last!.t < cuts[nextCut] { cut = true }
                nextCut += 1
            }
            if let last = current.last, last.v > 0, point.v < (1 - resetDrop) * last.v { cut = true }
            if cut, !current.isEmpty {
                out.append(current)
                current = []
            }
            current.append(point)
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
