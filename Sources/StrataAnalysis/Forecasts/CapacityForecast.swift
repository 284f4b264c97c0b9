import StrataCore

/// When a resource's usage will cross its limit: a seasonal profile (the median deviation per phase of the period,
/// once two whole periods are seen) plus the best `GrowthModel` of the deseasonalised series, projected step by step;
/// the band comes from a moving-block bootstrap of the residuals (the fit repeated on resampled series), so it
/// widens with noise, short history and model doubt.
public enum CapacityForecast {
    /// Settings.
    public struct Options: Sendable, Hashable {
        /// The seasonal period (default a day).
        public var periodMs: Int64 = 86_400_000
        /// Phases of the period the seasonal profile distinguishes.
        public var phases = 24
        /// How far ahead to look (default a year).
        public var horizonMs: Int64 = 365 * 86_400_000
        /// The share of outcomes the band is meant to hold (0.8: from the 10th to the 90th percentile).
        public var coverage = 0.8
        /// Bootstrap replicates.
        public var replicates = 200
        /// Fewest points accepted.
        public var minPoints = 30

        /// The defaults.
        public init() {}
    }

    /// The answer.
    public struct Forecast: Sendable, Hashable {
        /// The growth curve chosen.
        public var model: GrowthModel.Kind
        /// Whether a seasonal profile was used.
        public var seasonal: Bool
        /// When the fitted curve (with the season) first reaches the limit; nil: not within the horizon.
        public var crossingMs: Int64?
        /// The band: the earliest and latest crossing at `coverage`; `latestMs` nil: beyond the horizon.
        public var earliestMs: Int64?, latestMs: Int64?
        /// The share the band is meant to hold.
        public var coverage: Double
    }

    /// The forecast for `points` (time order) reaching `limit` from below; throws `InsufficientData` for fewer than
    /// `minPoints` finite points or a span under a day.
    public static func timeToLimit(_ points: [TimePoint], limit: Double, options: Options = Options()) throws(InsufficientData) -> Forecast {
        let clean = points.filter { $0.v.isFinite }
        guard clean.count >= options.minPoints else {
            throw InsufficientData("a forecast needs \(options.minPoints) points; the series has \(clean.count)")
        }
        let span = TimePoint.span(from: clean[0].t, to: clean.last!.t)
        guard span >= 86_400_000 else {
            throw InsufficientData("a forecast needs at least a day of history; the series spans \(Int(span / 60_000)) minutes")
        }
        guard limit.isFinite else { throw InsufficientData("the limit must be a finite number") }
        let origin = clean[0].t
        let days = clean.map { TimePoint.span(from: origin, to: $0.t) / 86_400_000 }
        let season = SeasonalProfile(clean, periodMs: options.periodMs, phases: options.phases)
        let adjusted = zip(days, clean).map { (x: $0, y: $1.v - (season?.offset(at: $1.t) ?? 0)) }
        guard let fit = GrowthModel.best(adjusted) else { throw InsufficientData("no growth curve fits the series") }
        let crossing = firstCrossing(fit, season: season, limit: limit, origin: origin, from: clean.last!.t, options: options)

        // Moving-block bootstrap of the residuals.
        let residuals = zip(adjusted, days).map { $0.y - fit.value(at: $1) }
        let block = max(1, Int(Double(residuals.count).squareRoot()))
        var random = SplitMix64(state: UInt64(clean.count) &* 0x9E37_79B9 &+ UInt64(bitPattern: clean.last!.t))
        var outcomes: [Double] = []
        for _ in 0..<options.replicates {
            var resampled: [Double] = []
            while resampled.count < residuals.count {
                let start = Int.random(in: 0...(residuals.count - block), using: &random)
                resampled += residuals[start..<(start + block)]
            }
            let replicate = days.enumerated().map { (x: $1, y: fit.value(at: $1) + resampled[$0]) }
            guard let refit = GrowthModel.best(replicate) else { continue }
            let t = firstCrossing(refit, season: season, limit: limit, origin: origin, from: clean.last!.t, options: options)
            outcomes.append(t.map(Double.init) ?? .infinity)
        }
        outcomes.sort()
        func quantile(_ q: Double) -> Int64? {
            guard !outcomes.isEmpty else { return crossing }
            let value = outcomes[min(outcomes.count - 1, max(0, Int((q * Double(outcomes.count - 1)).rounded())))]
            return Int64(exactly: value)
        }
        let tail = (1 - options.coverage) / 2
        return Forecast(model: fit.kind, seasonal: season != nil, crossingMs: crossing, earliestMs: quantile(tail),
                        latestMs: quantile(1 - tail), coverage: options.coverage)
    }

    /// The first time after `from`, on a grid of the season's phase length (or an hour), at which the curve plus
    /// the season reaches `limit`; nil within the horizon (or before the last representable time).
    static func firstCrossing(_ fit: GrowthModel, season: SeasonalProfile?, limit: Double, origin: Int64, from: Int64, options: Options) -> Int64? {
        let step = max(60_000, season.map { $0.periodMs / Int64($0.offsets.count) } ?? 3_600_000)
        let (sum, beyond) = from.addingReportingOverflow(options.horizonMs)
        let end = beyond ? (options.horizonMs > 0 ? Int64.max : Int64.min) : sum
        var t = from
        while t <= end {
            let value = fit.value(at: TimePoint.span(from: origin, to: t) / 86_400_000) + (season?.offset(at: t) ?? 0)
            if value >= limit { return t }
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow { return nil }
            t = next
        }
        return nil
    }
}

