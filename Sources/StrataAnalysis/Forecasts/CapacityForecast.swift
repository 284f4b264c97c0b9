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
        // The curve fitted to the raw series first (whole periods average the season out), the season measured as
        // the deviation from it and kept only when it stands out of the noise, then the curve fitted again without it.
        let times = clean.map(\.t)
        guard let first = GrowthModel.best(zip(days, clean).map { (x: $0, y: $1.v) }) else {
            throw InsufficientData("no growth curve fits the series")
        }
        let season = SeasonalProfile.significant(times: times, deviations: zip(days, clean).map { $1.v - first.value(at: $0) },
                                                 periodMs: options.periodMs, phases: options.phases)
        let adjusted = zip(days, clean).map { (x: $0, y: $1.v - (season?.offset(at: $1.t) ?? 0)) }
        guard let fit = GrowthModel.best(adjusted) else { throw InsufficientData("no growth curve fits the series") }
        let crossing = firstCrossing(fit, season: season, limit: limit, origin: origin, from: clean.last!.t, options: options)

        // Moving-block bootstrap of the residuals of the whole model (curve and season): each replicate is the
        // fitted series plus resampled blocks of residuals, its season measured again (as the median deviation
        // from the fitted curve per phase) and its curve fitted again, so the band holds the doubt in both.
        let curve = days.map { fit.value(at: $0) }
        let fitted = zip(curve, times).map { $0 + (season?.offset(at: $1) ?? 0) }
        let residuals = zip(clean, fitted).map { $0.v - $1 }
        let block = max(1, Int(Double(residuals.count).squareRoot()))
        var random = SplitMix64(state: UInt64(clean.count) &* 0x9E37_79B9 &+ UInt64(bitPattern: clean.last!.t))
        var outcomes: [Double] = []
        for _ in 0..<options.replicates {
            var resampled: [Double] = []
            while resampled.count < residuals.count {
                let start = Int.random(in: 0...(residuals.count - block), using: &random)
                resampled += residuals[start..<(start + block)]
            }
            let values = fitted.indices.map { fitted[$0] + resampled[$0] }
            let replicaSeason = season.flatMap { profile in
                SeasonalProfile(times: times, deviations: zip(values, curve).map { $0 - $1 },
                                periodMs: profile.periodMs, phases: profile.offsets.count)
            }
            let replicate = days.indices.map { (x: days[$0], y: values[$0] - (replicaSeason?.offset(at: times[$0]) ?? 0)) }
            guard let refit = GrowthModel.best(replicate) else { continue }
            let t = firstCrossing(refit, season: replicaSeason, limit: limit, origin: origin, from: clean.last!.t, options: options)
            outcomes.append(t.map(Double.init) ?? .infinity)
        }
        outcomes.sort()
        func quantile(_ q: Double) -> Int64? {
            guard !outcomes.isEmpty else { return crossing }
            let value = outcomes[min(outcomes.count - 1, max(0, Int((q * Double(outcomes.count - 1)).rounded())))]
            return Int64(exactly: value)
        }
        // The band is stated to the resolution of the data: its ends are moved outward to whole sampling steps
        // (the median spacing of the points) counted from the last point; a series sampled every 2 h cannot place
        // a crossing closer than that.
        let tail = (1 - options.coverage) / 2
        let resolution = max(1, medianSpacing(times))
        let last = clean.last!.t
        func outward(_ time: Int64?, up: Bool) -> Int64? {
            guard let time else { return nil }
            let steps = (TimePoint.span(from: last, to: time) / Double(resolution)).rounded(up ? .up : .down)
            let moved = Double(last) + steps * Double(resolution)
            return moved.isFinite && moved > -9.2e18 && moved < 9.2e18 ? Int64(moved) : time
        }
        return Forecast(model: fit.kind, seasonal: season != nil, crossingMs: crossing, earliestMs: outward(quantile(tail), up: false),
                        latestMs: outward(quantile(1 - tail), up: true), coverage: options.coverage)
    }

    /// The median gap between consecutive times (ms, at least 1).
    static func medianSpacing(_ times: [Int64]) -> Int64 {
        let gaps = zip(times.dropFirst(), times).map { TimePoint.span(from: $1, to: $0) }
        guard let median = TheilSen.median(gaps), median.isFinite, median >= 1 else { return 1 }
        return median < 9.2e18 ? Int64(median) : Int64.max
    }

    /// The first time after `from` at which the curve plus the season reaches `limit`: the curve is walked on a
    /// grid of half the season's phase length (or half an hour) and the crossing interpolated within the step;
    /// nil within the horizon (or before the last representable time).
    static func firstCrossing(_ fit: GrowthModel, season: SeasonalProfile?, limit: Double, origin: Int64, from: Int64, options: Options) -> Int64? {
        let step = max(60_000, season.map { $0.periodMs / Int64($0.offsets.count) / 2 } ?? 1_800_000)
        let (sum, beyond) = from.addingReportingOverflow(options.horizonMs)
        let end = beyond ? (options.horizonMs > 0 ? Int64.max : Int64.min) : sum
        func value(_ t: Int64) -> Double {
            fit.value(at: TimePoint.span(from: origin, to: t) / 86_400_000) + (season?.offset(at: t) ?? 0)
        }
        var t = from
        var previous = value(t)
        if previous >= limit { return t }
        while t <= end {
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow || next > end { return nil }
            let current = value(next)
            if current >= limit {
                let share = current > previous ? (limit - previous) / (current - previous) : 1
                return t + Int64((Double(step) * min(1, max(0, share))).rounded())
            }
            (t, previous) = (next, current)
        }
        return nil
    }
}
