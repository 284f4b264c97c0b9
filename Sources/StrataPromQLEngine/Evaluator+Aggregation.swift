import StrataCore
import StrataPromQL

extension Evaluator {
    /// An aggregation step by step: the parameter (k, φ or the count_values label) and the vector, grouped by the
    /// `by` labels or by all labels but the `without` ones and the name.
    func evalAggregate(_ node: AggregateExpr) throws(EngineError) -> [Series] {
        let grouping = node.grouping.sorted()
        let names = Set(grouping)
        let without = node.without
        let key: (Labels) -> GroupKey = { labels in
            if !without && names.isEmpty { return .none }
            return labels.signature(on: !without, names)
        }
        if let param = node.param, case .string(let literal) = StepInvariance.unwrapParens(param) {
            return try rangeEval([node.expr], key: key, distinct: true) { ts, vectors throws(EngineError) in
                try Aggregation.countValues(literal.value, grouping: grouping, without: without, vectors[0], ts: ts)
            }
        }
        var evaluated: [[Series]]?
        var groups: [Series]?
        if node.param == nil, SeriesMajorAggregation.operators.contains(node.op) {
            let input = try eval(node.expr).series
            evaluated = [[], input]
            var numbers: [GroupKey: Int] = [:]
            let keys = try ParallelSlices.map(input) { key($0.labels) }.map { numbers.number($0) }
            let aggregation = SeriesMajorAggregation(op: node.op, steps: stepCount, start: start, interval: interval)
            groups = try aggregation.aggregate(input, keys: keys, check: context.check) { labels in
                Aggregation.groupedLabels(labels, grouping: names, without: without)
            }
            try context.account(groups?.reduce(0) { $0 + $1.points.count } ?? 0)
        }
        if groups == nil {
            // Groups have distinct keys and so distinct labels; topk and bottomk keep their input's distinct series.
            let groupLabels = Aggregation.GroupLabels()
            groups = try rangeEval([node.param, node.expr], evaluated: evaluated, key: key, distinct: true) { ts, vectors throws(EngineError) in
                let param = vectors[0].first?.v ?? 0
                return try Aggregation.aggregate(node.op, grouping: names, without: without, param: param, vectors[1], ts: ts,
                                                 groupLabels: groupLabels)
            }
        }
        // Over series loaded in any order, groups come in label order rather than in an arbitrary one (a range
        // query's answer is sorted anyway).
        guard let groups else { return [] }
        guard start == end, SeriesOrder.readsUnordered(node.expr, context.data.unordered) else { return groups }
        return groups.sorted { Labels.precede($0.labels, $1.labels) }
    }
}
