import StrataCore
import StrataPromQL
import StrataTSDB

/// What evaluating a node gives: a matrix (series with a point per step where they have a value) or a string.
enum EvalResult {
    case matrix([Series])
    case string(String)

    /// The series of a matrix result; a string (only ever a top-level literal) has none.
    var series: [Series] {
        if case .matrix(let series) = self { return series }
        return []
    }
}

/// One element of an instant vector during a step: labels, value, the time of the value, and the key the node
/// computed for its series once (grouping key, matching signature), "" where none.
struct StepElement {
    var labels: Labels
    var v: Double
    var t: Int64
    /// The element's group or match (its `GroupKey` numbered within one `rangeEval`); 0 where none is needed.
    var key: Int
}

/// The state one query's evaluation shares between nodes: the loaded series, limits, the budget.
final class EvalContext {
    let data: SeriesData
    let options: Engine.Options
    let budget: QueryBudget
    private var checks = 0

    init(data: SeriesData, options: Engine.Options, budget: QueryBudget) {
        self.data = data
        self.options = options
        self.budget = budget
    }

    /// Throws once the budget says stop; cheap enough for inner loops (the clock is read every 64th call).
    func check() throws(EngineError) {
        checks &+= 1
        guard checks & 63 == 0 else { return }
        try checkBudget()
    }

    /// Throws once the budget says stop; safe from any thread (reads no counter).
    func checkBudget() throws(EngineError) {
        do { try budget.check() } catch { throw EngineError(error) }
    }

    /// Throws when a node's result holds more points than a query may.
    func account(_ points: Int) throws(EngineError) {
        if points > options.maxSamples { throw .tooManySamples() }
    }
}

/// Evaluates an expression over the steps `start, start + interval, …, end`, as Prometheus's `evaluator`: each node
/// gives a matrix with a point at each step where it has a value; an instant query is a range of one step.
struct Evaluator {
    let start: Int64
    let end: Int64
    let interval: Int64
    let context: EvalContext

    /// Steps in `start...end` (none when end is before start).
    var stepCount: Int { end < start ? 0 : Int((end &- start) / interval) + 1 }

    /// The time of step `index`.
    @inline(__always) func time(ofStep index: Int) -> Int64 { start &+ Int64(index) &* interval }

    func eval(_ expr: Expr) throws(EngineError) -> EvalResult {
        try context.check()
        if start != end, StepInvariance.isInvariant(expr), !StepInvariance.isLiteral(expr) {
            return try evalOnceAndRepeat(expr)
        }
        switch expr {
        case .paren(let node): return try eval(node.expr)
        case .string(let node): return .string(node.value)
        case .number(let node):
            let points = (0..<stepCount).map { Point(t: time(ofStep: $0), v: node.value) }
            return .matrix(points.isEmpty ? [] : [Series(labels: Labels(), points: points)])
        case .unary(let node):
            var series = try eval(node.expr).series
            if node.op == .minus {
                for index in series.indices {
                    series[index].labels = series[index].labels.droppingName
                    for point in series[index].points.indices { series[index].points[point].v.negate() }
                }
                try Self.checkDistinct(series)
            }
            return .matrix(series)
        case .vectorSelector(let selector): return .matrix(try evalVectorSelector(selector))
        case .matrixSelector(let selector): return .matrix(try evalMatrixSelector(selector))
        case .subquery(let subquery): return .matrix(try evalSubquery(subquery))
        case .call(let call): return .matrix(try evalCall(call))
        case .binary(let binary): return .matrix(try evalBinary(binary))
        case .aggregate(let aggregate): return .matrix(try evalAggregate(aggregate))
        }
    }

    /// A step-invariant expression (every selector under it pinned by `@`) evaluated once at the first step and
    /// its values repeated at every step — Prometheus's `StepInvariantExpr`. Range selectors and subqueries keep
    /// their own timestamps.
    private func evalOnceAndRepeat(_ expr: Expr) throws(EngineError) -> EvalResult {
        let once = Evaluator(start: start, end: start, interval: interval, context: context)
        let result = try once.eval(expr)
        switch StepInvariance.unwrapParens(expr) {
        case .matrixSelector, .subquery: return result
        default: break
        }
        guard case .matrix(var series) = result else { return result }
        let steps = stepCount
        try context.account(series.count &* steps)
        for index in series.indices {
            guard let first = series[index].points.first else { continue }
            series[index].points = (0..<steps).map { Point(t: time(ofStep: $0), v: first.v) }
        }
        return .matrix(series)
    }

    /// Prometheus's `rangeEval`: evaluates `args` (nil for string arguments, which functions read from the
    /// expression), then calls `body` at each step with each argument's elements at that step, and assembles
    /// what it returns into series. `key` computes each input series' key once. A step that returns two elements
    /// with one label set is Prometheus's `vector cannot contain metrics with the same labelset` (not looked for
    /// when the caller knows its elements are `distinct`). `evaluated` holds the arguments' series when the caller
    /// has evaluated them already.
    func rangeEval(_ args: [Expr?], evaluated: [[Series]]? = nil, key: ((Labels) -> GroupKey)? = nil, distinct: Bool = false,
                   _ body: (Int64, [[StepElement]]) throws(EngineError) -> [StepElement]) throws(EngineError) -> [Series] {
        var matrices: [[Series]] = []
        var keys: [[Int]] = []
        var numbers: [GroupKey: Int] = [:]
        for (position, arg) in args.enumerated() {
            var series: [Series] = []
            if let evaluated {
                series = evaluated[position]
            } else if let arg {
                series = try eval(arg).series
            }
            matrices.append(series)
            // Keys are computed once per series (on every core for many) and numbered, so steps hash integers,
            // not label bytes.
            keys.append(try key.map { key throws(EngineError) in
                try ParallelSlices.map(series) { key($0.labels) }.map { numbers.number($0) }
            } ?? [])
        }
        var cursors = matrices.map { [Int](repeating: 0, count: $0.count) }
        var output: [Series] = []
        var outputIndex: [Labels: Int] = [:]
        var produced = 0
        let steps = stepCount
        if steps > context.options.maxSamples { throw .tooManySamples() }
        var vectors = [[StepElement]](repeating: [], count: args.count)
        for step in 0..<steps {
            try context.check()
            let ts = time(ofStep: step)
            for arg in matrices.indices {
                vectors[arg].removeAll(keepingCapacity: true)
                for (index, series) in matrices[arg].enumerated() {
                    let cursor = cursors[arg][index]
                    guard cursor < series.points.count, series.points[cursor].t == ts else { continue }
                    vectors[arg].append(StepElement(labels: series.labels, v: series.points[cursor].v, t: ts,
                                                    key: keys[arg].isEmpty ? 0 : keys[arg][index]))
                    cursors[arg][index] = cursor + 1
                }
            }
            let result = try body(ts, vectors)
            if !distinct && result.count > 1 { try Self.checkDistinct(result.map(\.labels)) }
            if start == end {
                return result.map { Series(labels: $0.labels, points: [Point(t: ts, v: $0.v)]) }
            }
            produced += result.count
            try context.account(produced)
            for element in result {
                if let index = outputIndex[element.labels] {
                    output[index].points.append(Point(t: ts, v: element.v))
                } else {
                    outputIndex[element.labels] = output.count
                    output.append(Series(labels: element.labels, points: [Point(t: ts, v: element.v)]))
                }
            }
        }
        return output
    }

    /// Throws Prometheus's error when two series share a label set.
    static func checkDistinct(_ series: [Series]) throws(EngineError) {
        if series.count > 1 { try checkDistinct(series.map(\.labels)) }
    }

    static func checkDistinct(_ labels: [Labels]) throws(EngineError) {
        var seen = Set<Labels>(minimumCapacity: labels.count)
        for set in labels where !seen.insert(set).inserted {
            throw .execution("vector cannot contain metrics with the same labelset")
        }
    }
}
