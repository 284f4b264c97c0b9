import StrataCore
import StrataPromQL

extension Evaluator {
    /// The time a selector or subquery is evaluated at for a step at `ts`: its `@` time if it has one.
    @inline(__always) static func pinned(_ at: AtModifier?, _ ts: Int64) -> Int64 {
        if case .timestamp(let time) = at { return time }
        return ts
    }

    /// An instant vector selector at each step: per series the newest sample at most `lookback` before the
    /// step's time (less the offset), unless that sample is a staleness marker. Many series are read on every
    /// core, each slice bounded by the query's most points.
    func evalVectorSelector(_ selector: VectorSelector) throws(EngineError) -> [Series] {
        let all = context.data.series(selector)
        let parts = ParallelSlices.parts(all.count, perItem: stepCount)
        let slices = ParallelSlices.mapRanges(all.count, parts: parts) { range -> Result<[Series], EngineError> in
            var result: [Series] = []
            var produced = 0
            do throws(EngineError) {
                for index in range {
                    if index & 255 == 0 { try context.checkBudget() }
                    let points = points(of: all[index], selector)
                    if points.isEmpty { continue }
                    produced += points.count
                    try context.account(produced)
                    result.append(Series(labels: all[index].labels, points: points))
                }
            } catch {
                return .failure(error)
            }
            return .success(result)
        }
        var result: [Series] = []
        for slice in slices { result += try slice.get() }
        try context.account(result.reduce(0) { $0 + $1.points.count })
        return result
    }

    /// The points of one series for `selector` at each step.
    private func points(of series: LoadedSeries, _ selector: VectorSelector) -> [Point] {
        let lookback = context.options.lookbackDeltaMs
        var points: [Point] = []
        var cursor = 0  // samples before it are at or before the reference time
        let samples = series.samples
        for step in 0..<stepCount {
            let ts = time(ofStep: step)
            let reference = Self.pinned(selector.at, ts) &- selector.offsetMs
            while cursor < samples.count, samples[cursor].t <= reference { cursor += 1 }
            guard cursor > 0 else { continue }
            let sample = samples[cursor - 1]
            if sample.t < reference &- lookback || Sample.isStaleMarker(sample.v) { continue }
            points.append(Point(t: ts, v: sample.v))
        }
        return points
    }

    /// The samples each series of `selector` has at `ts` (not the step time: their own timestamps), for
    /// `timestamp(selector)`.
    func instantSamples(_ selector: VectorSelector, at ts: Int64) -> [StepElement] {
        let reference = Self.pinned(selector.at, ts) &- selector.offsetMs
        let lookback = context.options.lookbackDeltaMs
        var found: [StepElement] = []
        for series in context.data.series(selector) {
            let samples = series.samples
            let index = Self.lastIndex(samples, atOrBefore: reference)
            guard let index else { continue }
            let sample = samples[index]
            if sample.t < reference &- lookback || Sample.isStaleMarker(sample.v) { continue }
            found.append(StepElement(labels: series.labels, v: sample.v, t: sample.t, key: 0))
        }
        return found
    }

    /// The index of the last point with `t <= time`.
    static func lastIndex(_ points: [Point], atOrBefore time: Int64) -> Int? {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].t <= time { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : low - 1
    }

    /// The index of the first point with `t >= time`.
    static func firstIndex<Points: RandomAccessCollection<Point>>(_ points: Points, atOrAfter time: Int64) -> Int where Points.Index == Int {
        var low = 0, high = points.count
        while low < high {
            let middle = (low + high) / 2
            if points[middle].t < time { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// A range selector in an instant query: each series' samples in `[t - range, t]` (offset and `@` applied),
    /// markers left out.
    func evalMatrixSelector(_ matrix: MatrixSelector) throws(EngineError) -> [Series] {
        let maxT = Self.pinned(matrix.selector.at, start) &- matrix.selector.offsetMs
        let minT = maxT &- matrix.rangeMs
        var result: [Series] = []
        var produced = 0
        for series in context.data.series(matrix.selector) {
            try context.check()
            let values = series.values
            let from = Self.firstIndex(values, atOrAfter: minT)
            var to = from
            while to < values.count, values[to].t <= maxT { to += 1 }
            if to > from {
                produced += to - from
                try context.account(produced)
                result.append(Series(labels: series.labels, points: Array(values[from..<to])))
            }
        }
        return result
    }

    /// A subquery: its expression evaluated at the steps of `step` (the default subquery step when it has none)
    /// aligned to absolute time, from the first such step at or after `start - offset - range` to `end - offset`
    /// (`@` pins both ends).
    func evalSubquery(_ subquery: SubqueryExpr) throws(EngineError) -> [Series] {
        let step = subquery.stepMs != 0 ? subquery.stepMs : context.options.defaultSubqueryStepMs
        let baseStart = Self.pinned(subquery.at, start), baseEnd = Self.pinned(subquery.at, end)
        let innerEnd = baseEnd &- subquery.offsetMs
        let earliest = baseStart &- subquery.offsetMs &- subquery.rangeMs
        var innerStart = step &* (earliest / step)
        if innerStart < earliest { innerStart &+= step }
        if innerEnd >= innerStart, (innerEnd &- innerStart) / step >= Int64(context.options.maxSamples) {
            throw .tooManySamples()
        }
        let inner = Evaluator(start: innerStart, end: innerEnd, interval: step, context: context)
        return try inner.eval(subquery.expr).series
    }
}
