/// How unusual a series is within a window compared with its own history before the window: a robust z-score per
/// point (distance from the baseline's median in units of its scaled median absolute deviation), the onset (the
/// first point from which the series stays unusual) and how much of the rest of the window stays so.
struct Anomaly: Sendable, Hashable {
    /// The median z after the onset (signed), capped at ±50.
    var level: Double
    /// The first time from which the series stays unusual; nil: it never does.
    var onset: Int64?
    /// The share of the points from the onset to the window's end that are unusual (a short spike is small).
    var sustained: Double

    /// |z| from which a point counts as unusual.
    static let threshold = 3.0

    /// The anomaly of `points` within `from...to`; the baseline is every point before `from` (or, with fewer than
    /// ten, the window's first fifth). nil when the window holds fewer than five points.
    init?(_ points: [TimePoint], from: Int64, to: Int64) {
        let inside = points.filter { $0.t >= from && $0.t <= to && $0.v.isFinite }
        guard inside.count >= 5 else { return nil }
        var before = points.filter { $0.t < from && $0.v.isFinite }.map(\.v)
        if before.count < 10 { before = inside.prefix(max(3, inside.count / 5)).map(\.v) }
        let median = TheilSen.median(before) ?? 0
        let mad = TheilSen.median(before.map { abs($0 - median) }) ?? 0
        let scale = max(mad * 1.4826, abs(median) * 0.01, 1e-9)
        let z = inside.map { max(-50, min(50, ($0.v - median) / scale)) }
        let window = max(3, inside.count / 10)
        var onsetIndex: Int?
        for index in z.indices where abs(z[index]) >= Self.threshold {
            let ahead = z[index..<min(z.count, index + window)].map(abs)
            if (TheilSen.median(Array(ahead)) ?? 0) >= Self.threshold { onsetIndex = index; break }
        }
        guard let start = onsetIndex else {
            level = TheilSen.median(z) ?? 0
            onset = nil
            sustained = 0
            return
        }
        // The look-ahead may start a little before the change; the onset is the first of three unusual points in a
        // row from there on (a lone outlier just before a change is not its start), when there is one.
        var refined = start
        let limit = min(z.count - 2, start + window)
        if let run = (start..<max(start, limit)).first(where: { abs(z[$0]) >= Self.threshold && abs(z[$0 + 1]) >= Self.threshold && abs(z[$0 + 2]) >= Self.threshold }) {
            refined = run
        }
        let after = z[refined...]
        level = TheilSen.median(Array(after)) ?? 0
        onset = inside[refined].t
        sustained = Double(after.filter { abs($0) >= Self.threshold }.count) / Double(after.count)
    }

    /// 0…1: how strongly and lastingly unusual (|level| of 6 or more counts fully).
    var strength: Double { onset == nil ? 0 : min(1, abs(level) / 6) * sustained }
}
