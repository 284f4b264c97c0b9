#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The typical deviation from trend at each phase of a period (e.g. each hour of the day): the median, per phase,
/// of the residuals after a Theil–Sen line, centred on zero. Only made when the series spans two whole periods.
/// Between phases the deviation is interpolated (cyclically) between each phase's anchor — the mean position of its
/// points within the period — so a peak is not flattened into a step as wide as a phase.
public struct SeasonalProfile: Sendable, Hashable {
    /// The period in ms.
    public var periodMs: Int64
    /// The deviation per phase.
    public var offsets: [Double]
    /// Where in the period (0 ..< 1) each phase's deviation was seen: the mean position of its points.
    public var anchors: [Double]

    /// The profile of `points`; nil when they span less than two periods or a phase has no point.
    public init?(_ points: [TimePoint], periodMs: Int64, phases: Int) {
        guard phases > 1, periodMs >= Int64(phases), let first = points.first, let last = points.last,
              TimePoint.span(from: first.t, to: last.t) >= 2 * Double(periodMs) else { return nil }
        guard let line = TheilSen(points.map { (x: TimePoint.span(from: first.t, to: $0.t), y: $0.v) }) else { return nil }
        let deviations = points.map { $0.v - line.value(at: TimePoint.span(from: first.t, to: $0.t)) }
        self.init(times: points.map(\.t), deviations: deviations, periodMs: periodMs, phases: phases)
    }

    /// The profile of deviations already taken from a trend (one per time); nil when a phase has no point.
    init?(times: [Int64], deviations: [Double], periodMs: Int64, phases: Int) {
        guard phases > 1, periodMs >= Int64(phases), times.count == deviations.count else { return nil }
        var byPhase = Array(repeating: [Double](), count: phases)
        var positions = Array(repeating: 0.0, count: phases)
        for (t, deviation) in zip(times, deviations) {
            let position = Self.position(t, periodMs: periodMs)
            let phase = min(phases - 1, Int(position * Double(phases)))
            byPhase[phase].append(deviation)
            positions[phase] += position
        }
        guard byPhase.allSatisfy({ !$0.isEmpty }) else { return nil }
        let medians = byPhase.map { TheilSen.median($0)! }
        let mean = medians.reduce(0, +) / Double(phases)
        self.periodMs = periodMs
        offsets = medians.map { $0 - mean }
        anchors = zip(positions, byPhase).map { $0 / Double($1.count) }
    }

    /// The profile of deviations from a fitted trend, or nil unless it stands out of the noise: unless the phase
    /// medians differ more than the residual noise alone would make them (a chi-square test of the offsets against
    /// the standard error of each phase's median, at the 1 % level), or unless the deviations span two periods.
    static func significant(times: [Int64], deviations: [Double], periodMs: Int64, phases: Int) -> SeasonalProfile? {
        guard let first = times.first, let last = times.last, TimePoint.span(from: first, to: last) >= 2 * Double(periodMs),
              let profile = SeasonalProfile(times: times, deviations: deviations, periodMs: periodMs, phases: phases) else { return nil }
        var counts = Array(repeating: 0, count: phases)
        var squares = 0.0
        for (t, deviation) in zip(times, deviations) {
            let phase = min(phases - 1, Int(position(t, periodMs: periodMs) * Double(phases)))
            counts[phase] += 1
            let residual = deviation - profile.offsets[phase]
            squares += residual * residual
        }
        let variance = squares / Double(max(1, deviations.count - phases))
        guard variance > 0 else { return profile }
        // The variance of a median of n normal values is about (π/2)·σ²/n.
        let statistic = zip(profile.offsets, counts).reduce(0.0) { sum, phase in
            sum + phase.0 * phase.0 / (Double.pi / 2 * variance / Double(phase.1))
        }
        let freedom = Double(phases - 1)
        // Wilson–Hilferty: the chi-square quantile at 99 % (z = 2.326).
        let critical = freedom * pow(1 - 2 / (9 * freedom) + 2.326 * (2 / (9 * freedom)).squareRoot(), 3)
        return statistic > critical ? profile : nil
    }

    /// The deviation at time `t`, interpolated between the anchors on either side (across the period's end too).
    public func offset(at t: Int64) -> Double {
        let position = Self.position(t, periodMs: periodMs)
        let count = offsets.count
        var upper = anchors.firstIndex { $0 > position } ?? count
        let lower = upper - 1
        var (from, to) = (lower >= 0 ? anchors[lower] : anchors[count - 1] - 1, 0.0)
        if upper == count { upper = 0; to = anchors[0] + 1 } else { to = anchors[upper] }
        let low = offsets[lower >= 0 ? lower : count - 1], high = offsets[upper]
        guard to > from else { return low }
        return low + (high - low) * (position - from) / (to - from)
    }

    /// Where `t` falls within its period, 0 ..< 1.
    static func position(_ t: Int64, periodMs: Int64) -> Double {
        let remainder = t % periodMs
        let within = remainder < 0 ? remainder + periodMs : remainder
        return min(Double(within) / Double(periodMs), 1.0.nextDown)
    }
}
