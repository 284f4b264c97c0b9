/// The correlation of two series' changes: both are read on one time grid (linear interpolation; a workload counter
/// as its increase per step, resets undone), differenced, and compared with the candidate leading the symptom by 0
/// to `maxLag` steps; the lag with the largest |r| wins. Changes, not levels: anything that only grows with time
/// correlates in levels.
struct LaggedCorrelation: Sendable, Hashable {
    /// Pearson's r at the best lag.
    var r: Double
    /// How far the candidate leads (ms).
    var leadMs: Int64

    /// The grid times: every `step` ms from `from` to `to`.
    static func grid(from: Int64, to: Int64, step: Int64) -> [Int64] {
        guard step > 0, to > from else { return [] }
        let count = min(20_000, Int(TimePoint.span(from: from, to: to) / Double(step)) + 1)
        return (0..<count).map { from + Int64($0) * step }
    }

    /// The series read at `grid` as levels (a workload counter as its increase per step); nil where it has no data.
    static func levels(_ signal: Signal, on grid: [Int64]) -> [Double?] {
        switch signal.role {
        case .workload:
            let counter = LeakAttribution.monotonic(signal.points)
            let values = grid.map { LeakAttribution.interpolate(counter, at: $0) }
            return values.indices.map { index in
                guard index > 0, let now = values[index], let before = values[index - 1] else { return nil }
                return now - before
            }
        case .gauge, .memory, .usage:
            let clean = signal.points.filter { $0.v.isFinite }
            return grid.map { LeakAttribution.interpolate(clean, at: $0) }
        }
    }

    /// The best correlation of the changes of `candidate` and `symptom` (levels on one grid): over 1 step with the
    /// candidate leading by 0 to `maxLag` steps, and over 4 and 16 steps at no lag — a relation may hold at a slower
    /// pace than the grid's (a neighbour's job raises a host's load for hours while both series jitter from step to
    /// step); nil with fewer than 10 comparable changes.
    init?(candidate: [Double?], symptom: [Double?], step: Int64, maxLag: Int) {
        func changes(_ levels: [Double?], over span: Int) -> [Double?] {
            levels.indices.map { index in
                guard index >= span, let now = levels[index], let before = levels[index - span] else { return nil }
                return now - before
            }
        }
        var best: (r: Double, lag: Int)?
        for span in [1, 4, 16] where span * 10 < symptom.count {
            let dc = changes(candidate, over: span), ds = changes(symptom, over: span)
            // A lead is searched at the grid's pace only: at a slower pace any two steps line up at some lag.
            for lag in 0...(span == 1 ? max(0, maxLag) : 0) where lag < ds.count {
                var x: [Double] = [], y: [Double] = []
                for index in lag..<ds.count {
                    if let a = dc[index - lag], let b = ds[index] { x.append(a); y.append(b) }
                }
                guard x.count >= 10 else { continue }
                let r = LeakAttribution.pearson(x, y)
                if best == nil || abs(r) > abs(best!.r) + 1e-9 { best = (r, lag) }
            }
        }
        guard let best else { return nil }
        r = best.r
        leadMs = Int64(best.lag) * step
    }
}
