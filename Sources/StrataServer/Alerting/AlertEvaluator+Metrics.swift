import StrataAlerting
import StrataCore
import StrataTSDB

/// How one sample of one series changes a metric condition (threshold, trend or baseline), whether the condition
/// is a definition's own or a part of a composite.
extension AlertEvaluator {
    /// What a metric condition's state makes of one sample.
    struct Judgement: Sendable {
        var active: Bool
        /// What the alert shows as its value.
        var value: Double
        /// A trend's projected crossing, Unix ms.
        var crossingMs: Int64?
        /// A baseline's expectation and how far the sample lies from it.
        var expected: Double?
        var score: Double?
    }

    /// Feeds a sample to the state `key` keeps for `condition`; nil while the sample decides nothing (a rate's first
    /// sample, a trend with too few points, a baseline too young for this hour).
    /// `readHistory` is set when the stored history was read (the actor may have done other work meanwhile). When a
    /// definition was redefined or removed during that read, the sample decides nothing and nothing read is kept: the
    /// definition judging it may be gone (an alert stored now would outlive it) or see a different condition.
    func judge(_ condition: AlertCondition, key: AlertEntry.Key, series: StableID, timestampMs: Int64, value: Double, open: Bool,
               readHistory: inout Bool) async -> Judgement? {
        switch condition {
        case .threshold(let threshold):
            // Only what looks back needs the stored history (and the lookup that tells whether it was read).
            if threshold.input != .value, inputs[key] == nil {
                readHistory = true
                guard let seeded = await unlessForgotten({ await seededInput(series: series, condition: threshold, nowMs: timestampMs) })
                else { return nil }
                inputs[key] = seeded
            }
            guard let input = inputs[key, default: ThresholdInputState()].add(timestampMs: timestampMs, value: value, input: threshold.input) else { return nil }
            return Judgement(active: threshold.holds(input, open: open), value: input)
        case .trend(let trend):
            if trends[key] == nil {
                readHistory = true
                guard let seeded = await unlessForgotten({ await seededTrend(series: series, condition: trend, nowMs: timestampMs) })
                else { return nil }
                trends[key] = seeded
            }
            guard let projection = trends[key]?.add(timestampMs: timestampMs, value: value, condition: trend) else { return nil }
            // The seconds left until the projected crossing (0 once crossed), or the horizon when none is projected.
            let seconds = Double((projection.crossingMs ?? timestampMs.addingReportingOverflow(trend.horizonMs).partialValue)
                .subtractingReportingOverflow(timestampMs).partialValue) / 1000
            return Judgement(active: projection.crossingMs != nil, value: seconds, crossingMs: projection.crossingMs)
        case .baseline(let baseline):
            if baselines[key] == nil {
                readHistory = true
                guard let seeded = await seededBaseline(key: key, series: series, condition: baseline, nowMs: timestampMs) else { return nil }
                if baselines[key] == nil { baselines[key] = seeded }
            }
            let expectation = baselines[key]?.expectation(atMs: timestampMs)
            baselines[key]?.add(timestampMs: timestampMs, value: value)
            guard value.isFinite, let expectation, expectation.seasons >= baseline.minSeasons else { return nil }
            let score = baseline.score(value, expectation)
            return Judgement(active: baseline.holds(score: score), value: value, expected: expectation.median, score: score)
        default:
            return nil
        }
    }

    /// What `read` (a read of stored history, during which the actor takes other work) returns, or nil when a
    /// definition's metric state was forgotten meanwhile (`metricStateEpoch`): what was read may belong to a definition
    /// that is gone or now different, so none of it is kept.
    func unlessForgotten<Value>(_ read: () async -> Value) async -> Value? {
        let epoch = metricStateEpoch
        let value = await read()
        return metricStateEpoch == epoch ? value : nil
    }

    /// Forgets what the metric conditions of a definition remember.
    func forgetMetricState(definitionID: String) {
        // The definition's own keys and those of its composite parts (`ID#n`).
        let kept = { (key: AlertEntry.Key) in key.definitionID != definitionID && !key.definitionID.hasPrefix(definitionID + "#") }
        inputs = inputs.filter { kept($0.key) }
        trends = trends.filter { kept($0.key) }
        baselines = baselines.filter { kept($0.key) }
        baselineReadFailures = baselineReadFailures.filter { kept($0.key) }
        metricStateEpoch &+= 1
    }
}
