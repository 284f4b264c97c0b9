/// "Unusual for this hour of the week": each sample is compared with what the same metric did at the same hour of
/// the same weekday in earlier weeks (`BaselineProfile`). The expectation is the median of those hours' means and
/// its spread combines how much those means differ from week to week (the median absolute deviation, scaled by
/// 1.4826 to estimate a standard deviation) with how much single samples scatter within an hour. The condition
/// holds when the sample lies more than `deviations` spreads above (or below) the median — and only once the hour
/// has been seen in `minSeasons` earlier seasons, so a young profile never fires.
public struct BaselineCondition: Sendable, Equatable {
    /// Which side of the expectation counts.
    public enum Direction: String, Sendable, Codable, CaseIterable {
        case above, below, either
    }

    /// What repeats: the hour of the week (168 hours) or of the day (24 hours).
    public enum Season: String, Sendable, Codable, CaseIterable {
        case weekly, daily

        /// Hours in one season.
        public var hours: Int { self == .weekly ? 168 : 24 }
        /// One season in ms.
        public var lengthMs: Int64 { Int64(hours) * 3_600_000 }
    }

    /// The metric name.
    public var metric: String
    /// Only series whose labels carry these values.
    public var labels: [String: String]
    public var direction: Direction
    /// How many spreads from the median make a sample unusual (default 3).
    public var deviations: Double
    public var season: Season
    /// Earlier seasons an hour must have been seen in before it judges anything.
    public var minSeasons: Int
    /// The least spread, in the metric's unit: a perfectly regular metric would otherwise call any change unusual.
    /// Nil: 1 % of the median's magnitude.
    public var minSpread: Double?
    /// Hours and weekdays are those of this offset from UTC (e.g. +01:00 → 3,600,000).
    public var utcOffsetMs: Int64

    /// A baseline condition; numbers are clamped into their meaningful ranges.
    public init(metric: String, labels: [String: String] = [:], direction: Direction = .either, deviations: Double = 3,
                season: Season = .weekly, minSeasons: Int = 2, minSpread: Double? = nil, utcOffsetMs: Int64 = 0) {
        self.metric = metric
        self.labels = labels
        self.direction = direction
        self.deviations = deviations.isFinite && deviations > 0 ? deviations : 3
        self.season = season
        self.minSeasons = Swift.min(Swift.max(1, minSeasons), BaselineProfile.keptSeasons)
        self.minSpread = minSpread.flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        self.utcOffsetMs = Swift.min(Swift.max(utcOffsetMs, -14 * 3_600_000), 14 * 3_600_000)
    }

    /// How far `value` lies from `expectation`, in spreads (positive above the median).
    public func score(_ value: Double, _ expectation: BaselineProfile.Expectation) -> Double {
        let floor = minSpread ?? Swift.max(abs(expectation.median) * 0.01, 1e-9)
        return (value - expectation.median) / Swift.max(expectation.spread, floor)
    }

    /// Whether a sample `score` spreads from the median is unusual.
    public func holds(score: Double) -> Bool {
        switch direction {
        case .above: score > deviations
        case .below: score < -deviations
        case .either: abs(score) > deviations
        }
    }
}
