import StrataCore
import StrataTSDB
import StrataPromQL

extension Evaluator {
    /// A function call: `timestamp` of a selector reads the samples' own times; a function of a range vector runs
    /// series by series over sliding windows; the others run step by step on instant vectors and scalars.
    func evalCall(_ call: Call) throws(EngineError) -> [Series] {
        let args = call.args.map(StepInvariance.unwrapParens)
        let name = call.function.name
        if name == "timestamp", case .vectorSelector(let selector) = args[0] {
            return try rangeEval([]) { ts, _ throws(EngineError) in
                instantSamples(selector, at: ts).map {
                    StepElement(labels: $0.labels.droppingName, v: Double($0.t) / 1000, t: ts, key: 0)
                }
            }
        }
        if let index = args.firstIndex(where: { if case .matrixSelector = $0 { true } else if case .subquery = $0 { true } else { false } }) {
            return try evalRangeFunction(call, args: args, matrixIndex: index)
        }
        var state = InstantFunctions.State()
        // histogram_quantile groups buckets by their labels but `le`: the key is computed once per series.
        var key: ((Labels) -> GroupKey)?
        if name == "histogram_quantile" { key = { InstantFunctions.bucketGroup($0) } }
        let result = try rangeEval(args.map { $0.type == .string ? nil : $0 }, key: key) { ts, vectors throws(EngineError) in
            try InstantFunctions.call(name, args: args, vectors: vectors, ts: ts, state: &state)
        }
        // Over buckets read in any order (`SeriesOrder`), an instant answer lists its groups in label order.
        guard name == "histogram_quantile", start == end, args.contains(where: { SeriesOrder.readsUnordered($0, context.data.unordered) })
        else { return result }
        return result.sorted { Labels.precede($0.labels, $1.labels) }
    }

    /// A function over a range vector (a range selector or a subquery): for each series and step, the points in
    /// `[t - range, t]` (offset and `@` applied), the function's value when there is one. The metric name is
    /// dropped except by `last_over_time`; `absent_over_time` answers for the steps where no series has points.
    func evalRangeFunction(_ call: Call, args: [Expr], matrixIndex: Int) throws(EngineError) -> [Series] {
        let name = call.function.name
        var scalarArgs: [[Series]] = []
        for (index, arg) in args.enumerated() where index != matrixIndex {
            scalarArgs.append(try eval(arg).series)
        }
        let inputs: [(labels: Labels, points: [Point])]
        let rangeMs: Int64, offsetMs: Int64, at: AtModifier?
        switch args[matrixIndex] {
        case .matrixSelector(let matrix):
            inputs = context.data.series(matrix.selector).map { ($0.labels, $0.values) }
            (rangeMs, offsetMs, at) = (matrix.rangeMs, matrix.selector.offsetMs, matrix.selector.at)
        case .subquery(let subquery):
            inputs = try evalSubquery(subquery).map { ($0.labels, $0.points) }
            (rangeMs, offsetMs, at) = (subquery.rangeMs, subquery.offsetMs, subquery.at)
        default:
            return []
        }
        let steps = stepCount
        var scalarsByStep: [[Double]] = Array(repeating: [], count: steps)
        for series in scalarArgs {
            for step in 0..<steps {
                let ts = time(ofStep: step)
                let point = series.first?.points.first { $0.t == ts }
                scalarsByStep[step].append(point?.v ?? .nan)
            }
        }
        // Prometheus turns `@` into an offset from the evaluation's first step; a function whose result moves with
        // the evaluation time is not evaluated once, so its pinned window moves with the step (engine.go's
        // setOffsetForAtModifier and the step loop of a matrix-argument call).
        let slides = at != nil && StepInvariance.timeDependent.contains(name)
        let budget = context.budget
        let keepsName = name == "last_over_time"
        let noScalars: [Double] = []
        let resetsOnce = steps > 1 && RangeFunctions.readingResets.contains(name)
        let outputs = try ParallelSlices.map(inputs, minimum: max(2 * ParallelSlices.cores, 4_096 / max(1, steps))) { input throws(EngineError) -> (labels: Labels, points: [Point]) in
            do throws(QueryError) { try budget.check() } catch { throw EngineError(error) }
            let points = try input.points.withUnsafeBufferPointer { points throws(EngineError) in
                let nonDecreasing = resetsOnce && RangeFunctions.isNonDecreasing(points)
                return try windows(points, steps: steps, at: at, offsetMs: offsetMs, slides: slides, rangeMs: rangeMs,
                                   nonDecreasing: nonDecreasing) { step, window throws(EngineError) in
                    try RangeFunctions.evaluate(name, window, scalars: scalarArgs.isEmpty ? noScalars : scalarsByStep[step])
                }
            }
            return (points.isEmpty || keepsName ? input.labels : input.labels.droppingName, points)
        }
        var result: [Series] = []
        var produced = 0
        for output in outputs where !output.points.isEmpty {
            produced += output.points.count
            try context.account(produced)
            result.append(Series(labels: output.labels, points: output.points))
        }
        if name == "absent_over_time" { return absentOverTime(result, argument: args[matrixIndex]) }
        // Dropping the name can only make two series alike when their inputs differ in it.
        let firstName = inputs.first?.labels[Labels.metricName]
        if name != "last_over_time", inputs.contains(where: { $0.labels[Labels.metricName] != firstName }) {
            try Self.checkDistinct(result)
        }
        return result
    }

    /// The points `value` gives for the window of each step over `points` (nil: no point at that step).
    private func windows(_ points: UnsafeBufferPointer<Point>, steps: Int, at: AtModifier?, offsetMs: Int64, slides: Bool, rangeMs: Int64,
                         nonDecreasing: Bool,
                         _ value: (Int, RangeFunctions.Window) throws(EngineError) -> Double?) throws(EngineError) -> [Point] {
        var low = 0, high = 0
        var output: [Point] = []
        for step in 0..<steps {
            let ts = time(ofStep: step)
            let maxT = Self.pinned(at, ts) &- offsetMs &+ (slides ? ts &- start : 0)
            let minT = maxT &- rangeMs
            if at != nil {
                low = Self.firstIndex(points, atOrAfter: minT)
                high = low
            } else {
                while low < points.count, points[low].t < minT { low += 1 }
                if high < low { high = low }
            }
            while high < points.count, points[high].t <= maxT { high += 1 }
            guard high > low else { continue }
            let window = RangeFunctions.Window(points: points[low..<high], start: minT, end: maxT, rangeMs: rangeMs, ts: ts,
                                               nonDecreasing: nonDecreasing)
            if let value = try value(step, window) { output.append(Point(t: ts, v: value)) }
        }
        return output
    }

    /// One series valued 1 at the steps where no series of `found` has a point, labelled by the argument's
    /// equality matchers; none when every step has one.
    private func absentOverTime(_ found: [Series], argument: Expr) -> [Series] {
        let steps = stepCount
        var present = Set<Int64>()
        for series in found {
            if series.points.count == steps { return [] }
            for point in series.points { present.insert(point.t) }
        }
        if present.count == steps { return [] }
        let points = (0..<steps).map(time(ofStep:)).filter { !present.contains($0) }.map { Point(t: $0, v: 1) }
        return [Series(labels: InstantFunctions.absentLabels(argument), points: points)]
    }
}
