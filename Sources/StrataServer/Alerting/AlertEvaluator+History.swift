import Foundation
import StrataAlerting
import StrataCore
import StrataTSDB

/// Metric conditions that look back (rates, windows, trends, baselines) start from the series' stored history when
/// they first see a series — after a restart, a new definition or a VM's relocation — instead of from nothing.
extension AlertEvaluator {
    static let historyTimeout: Duration = .seconds(5)
    /// Samples of a series that try to read a baseline's history before it learns from live samples alone.
    static let historyAttempts = 3
    static let hourMs: Int64 = 3_600_000

    /// The threshold state of a series, primed with its stored samples of the window (or the last one, for a rate).
    func seededInput(series: StableID, condition: ThresholdCondition, nowMs: Int64) async -> ThresholdInputState {
        var state = ThresholdInputState()
        let lookback: Int64
        switch condition.input {
        case .value: return state
        case .rate: lookback = 3_600_000
        case .aggregate(_, let windowMs): lookback = windowMs
        }
        let samples = (try? await querier.samples(series: series, fromMs: nowMs.subtractingReportingOverflow(lookback).partialValue,
                                                  toMs: nowMs.subtractingReportingOverflow(1).partialValue)) ?? []
        let used = condition.input == .rate ? Array(samples.suffix(1)) : samples
        for sample in used { _ = state.add(timestampMs: sample.timestampMs, value: sample.value, input: condition.input) }
        return state
    }

    /// The trend state of a series, primed with its stored samples of the fitted window.
    func seededTrend(series: StableID, condition: TrendCondition, nowMs: Int64) async -> TrendState {
        var state = TrendState()
        let samples = (try? await querier.samples(series: series, fromMs: nowMs.subtractingReportingOverflow(condition.windowMs).partialValue,
                                                  toMs: nowMs.subtractingReportingOverflow(1).partialValue)) ?? []
        for sample in samples { state.remember(timestampMs: sample.timestampMs, value: sample.value, condition: condition) }
        return state
    }

    /// A baseline profile learned from the series' stored hourly mean, minimum, maximum and count over the seasons a
    /// profile keeps (the within-hour deviation estimated from the range, `rangeDivisor`); nil when the history could
    /// not be read (a query failed or passed `historyTimeout`), so that the next sample tries again instead of the
    /// profile starting from nothing for the definition's life.
    func seededProfile(series: StableID, condition: BaselineCondition, nowMs: Int64) async -> BaselineProfile? {
        var profile = BaselineProfile(season: condition.season, utcOffsetMs: condition.utcOffsetMs)
        guard let labels = await querier.labels(of: series) else { return profile }
        var matchers: [LabelMatcher] = []
        for label in labels.pairs {
            guard let matcher = try? LabelMatcher(label.name, .equal, label.value) else { return profile }
            matchers.append(matcher)
        }
        let hourStart = BaselineProfile.floorDivide(nowMs, Self.hourMs) * Self.hourMs
        let span = condition.season.lengthMs * Int64(BaselineProfile.keptSeasons)
        guard hourStart > span else { return profile }
        var columns: [QueryFunction: [Int64: Double]] = [:]
        for function in [QueryFunction.avg, .min, .max, .count] {
            let query = RangeQuery(matchers: matchers, fromMs: hourStart - span, toMs: hourStart - 1, stepMs: Self.hourMs, function: function)
            guard let result = try? await querier.query(query, budget: QueryBudget(timeout: Self.historyTimeout)) else { return nil }
            guard let points = result.series.first(where: { $0.id == series })?.points else { return profile }
            columns[function] = Dictionary(points.map { ($0.timestampMs, $0.value) }) { first, _ in first }
        }
        for (hour, mean) in (columns[.avg] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let range = (columns[.max]?[hour] ?? mean) - (columns[.min]?[hour] ?? mean)
            let count = columns[.count]?[hour] ?? 1
            profile.record(hourStartMs: hour, mean: mean, deviation: range / Self.rangeDivisor(count))
        }
        return profile
    }

    /// The profile `key` starts from: learned from the stored history, or nil when that could not be read, so that
    /// the sample decides nothing and the next one reads again; after `historyAttempts` failed reads (a query past
    /// its timeout each time: a loaded store, or a block that cannot be read), an empty profile that learns from live
    /// samples, with a warning. So a failing store costs each series at most that many reads. Nil too, counting
    /// nothing, when the definition's state was forgotten during the read (`unlessForgotten`).
    func seededBaseline(key: AlertEntry.Key, series: StableID, condition: BaselineCondition, nowMs: Int64) async -> BaselineProfile? {
        guard let read = await unlessForgotten({ await seededProfile(series: series, condition: condition, nowMs: nowMs) }) else { return nil }
        if let profile = read {
            baselineReadFailures[key] = nil
            return profile
        }
        let failures = baselineReadFailures[key, default: 0] + 1
        guard failures >= Self.historyAttempts else {
            baselineReadFailures[key] = failures
            return nil
        }
        baselineReadFailures[key] = nil
        logger.warning("a baseline's stored history could not be read; it learns from live samples", metadata: [
            "definition": "\(key.definitionID)", "series": "\(series)", "attempts": "\(failures)",
        ])
        return BaselineProfile(season: condition.season, utcOffsetMs: condition.utcOffsetMs)
    }

    /// The expected range of `count` normally distributed samples in standard deviations (the d₂ constant of
    /// control charts), interpolated in log(count) between tabulated values; 1 below two samples.
    static func rangeDivisor(_ count: Double) -> Double {
        let table: [(count: Double, d2: Double)] = [(2, 1.128), (3, 1.693), (5, 2.326), (10, 3.078), (20, 3.735), (50, 4.498),
                                                     (100, 5.015), (200, 5.492), (500, 6.073), (1_000, 6.483), (10_000, 7.7)]
        guard count.isFinite, count >= 2 else { return 1 }
        guard let upper = table.firstIndex(where: { $0.count >= count }) else { return table[table.count - 1].d2 }
        guard upper > 0 else { return table[0].d2 }
        let low = table[upper - 1], high = table[upper]
        let fraction = (log(count) - log(low.count)) / (log(high.count) - log(low.count))
        return low.d2 + fraction * (high.d2 - low.d2)
    }
}
