import StrataPromQL

/// Which selectors' series may be loaded in any order. Prometheus evaluates series in label order because its
/// storage returns them so; an aggregation like `sum` does not need it (beyond the last bits of a floating-point
/// sum), and sorting 100k label sets took a fifth of a `sum(rate(…))`. A selector is order-free when every use of
/// it reaches such an aggregation only through functions that map each series to at most one series; the
/// aggregation then sorts its groups by labels at an instant query, so answers stay in a stable order.
enum SeriesOrder {
    /// Aggregations whose groups and values do not depend on the order of their input. (`topk`/`bottomk` break
    /// ties by it, `count_values` creates groups in it, `avg`'s and `stddev`'s running means of infinities of
    /// both signs end on the sign of the last.)
    static let orderFreeAggregations: Set<AggregateOp> = [.sum, .count, .min, .max, .group, .quantile]

    /// Functions that give each input series at most one output series from its own samples.
    static let perSeriesFunctions: Set<String> = [
        "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear", "holt_winters", "changes", "resets",
        "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time", "quantile_over_time",
        "stddev_over_time", "stdvar_over_time", "last_over_time", "present_over_time",
        "abs", "ceil", "floor", "exp", "ln", "log2", "log10", "sqrt", "round", "sgn", "clamp", "clamp_min", "clamp_max",
    ]

    /// The keys (`SeriesData.key`) of the selectors of `expr` whose every use is order-free.
    ///
    /// `orderFree`: nothing downstream of a node depends on the order of its series. `root`: the node's series are the
    /// answer, in the order evaluation gives; an order-free aggregation there may read unsorted series, since it then
    /// lists its groups in label order (`Evaluator.evalAggregate`), while a selector there keeps label order.
    static func unordered(_ expr: Expr) -> Set<String> {
        var free = Set<String>()
        var bound = Set<String>()
        func note(_ selector: VectorSelector, _ orderFree: Bool) {
            if orderFree { free.insert(SeriesData.key(selector)) } else { bound.insert(SeriesData.key(selector)) }
        }
        func walk(_ expr: Expr, _ orderFree: Bool, root: Bool) {
            switch expr {
            case .vectorSelector(let selector): note(selector, orderFree)
            case .matrixSelector(let matrix): note(matrix.selector, orderFree)
            case .paren(let node): walk(node.expr, orderFree, root: root)
            case .unary(let node): walk(node.expr, orderFree, root: root)
            case .aggregate(let node):
                if let param = node.param { walk(param, false, root: false) }
                // The groups come in the order of their first series: unsorted input is fine only where that order
                // does not matter (an order-sensitive consumer like `topk` breaks ties by it) or is replaced.
                walk(node.expr, orderFreeAggregations.contains(node.op) && (orderFree || root), root: false)
            case .call(let call) where call.function.name == "histogram_quantile" && call.args.count == 2:
                // Buckets are grouped and sorted by their bounds; only the order of the groups follows the input's.
                walk(call.args[0], false, root: false)
                walk(call.args[1], orderFree || root, root: false)
            case .call(let call):
                let mapsEachSeries = perSeriesFunctions.contains(call.function.name)
                for arg in call.args { walk(arg, orderFree && mapsEachSeries, root: root && mapsEachSeries) }
            case .binary(let node):
                // With a scalar on one side, each series of the other maps to one; between two vectors the
                // matching's errors name series in their order.
                let scalarSide = node.lhs.type == .scalar || node.rhs.type == .scalar
                walk(node.lhs, orderFree && scalarSide, root: root && scalarSide)
                walk(node.rhs, orderFree && scalarSide, root: root && scalarSide)
            default:
                for child in expr.children { walk(child, false, root: false) }
            }
        }
        walk(expr, false, root: true)
        return free.subtracting(bound)
    }

    /// Whether `expr` reads a selector whose series were loaded in any order.
    static func readsUnordered(_ expr: Expr, _ unordered: Set<String>) -> Bool {
        guard !unordered.isEmpty else { return false }
        switch expr {
        case .vectorSelector(let selector): return unordered.contains(SeriesData.key(selector))
        case .matrixSelector(let matrix): return unordered.contains(SeriesData.key(matrix.selector))
        default: return expr.children.contains { readsUnordered($0, unordered) }
        }
    }
}
