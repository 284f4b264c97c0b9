/// The typical deviation from trend at each phase of a period (e.g. each hour of the day): the median, per phase,
/// of the residuals after a Theil–Sen line, centred on zero. Only made when the series spans two whole periods.
public struct SeasonalProfile: Sendable, Hashable {
    /// The period in ms.
    public var periodMs: Int64
    /// The deviation per phase.
    public var offsets: [Double]

    /// The profile of `points`; nil when they span less than two periods or a phase has no point.
    public init?(_ points: [TimePoint], periodMs: Int64, phases: Int) {
        guard phases > 1, periodMs >= Int64(phases), let first = points.first, let last = points.last,
              TimePoint.span(from: first.t, to: last.t) >= 2 * Double(periodMs) else { return nil }
        guard let line = TheilSen(points.map { (x: TimePoint.span(from: first.t, to: $0.t), y: $0.v) }) else { return nil }
        var byPhase = Array(repeating: [Double](), count: phases)
        for point in points {
            let phase = Self.phase(point.t, periodMs: periodMs, phases: phases)
            byPhase[phase].append(point.v - line.value(at: TimePoint.span(from: first.t, to: point.t)))
        }
        guard byPhase.allSatisfy({ !$0.isEmpty }) else { return nil }
        let medians = byPhase.map { TheilSen.median($0)! }
        let mean = medians.reduce(0, +) / Double(phases)
        self.periodMs = periodMs
        offsets = medians.map { $0 - mean }
    }

    /// The deviation at time `t`.
    public func offset(at t: Int64) -> Double {
        offsets[Self.phase(t, periodMs: periodMs, phases: offsets.count)]
    }

    static func phase(_ t: Int64, periodMs: Int64, phases: Int) -> Int {
        let remainder = t % periodMs
        let within = remainder < 0 ? remainder + periodMs : remainder
        return min(phases - 1, Int(Double(within) / Double(periodMs) * Double(phases)))
    }
}
