import StrataCore
import StrataPromQL

/// Prometheus 2.42's aggregation operators over one step's vector (`engine.go`'s `aggregation`): groups in the
/// order their first element comes, plain sums, the incremental mean of `avg`, Welford's `stddev`/`stdvar`, and
/// `topk`/`bottomk` through Go's heap so that ties pick the series Prometheus picks.
enum Aggregation {
    private struct Group {
        var labels: Labels
        var value: Double
        var mean: Double
        var count: Int
        var heap: [StepElement] = []
        var values: [Double] = []
    }

    /// The labels of each group by its key, kept from step to step of one evaluation (keys are numbered once
    /// per series there, so a key names the same group at every step).
    final class GroupLabels {
        var byKey: [Labels?] = []

        /// The labels of the group keyed `key`, made by `make` the first time.
        func labels(_ key: Int, _ make: () -> Labels) -> Labels {
            guard key >= 0, key < 1 << 24 else { return make() }
            if key >= byKey.count { byKey += [Labels?](repeating: nil, count: key + 1 - byKey.count) }
            if let known = byKey[key] { return known }
            let made = make()
            byKey[key] = made
            return made
        }
    }

    /// The labels of the group a series with `labels` falls in: the `by` labels, or all but the `without` ones and
    /// the name.
    static func groupedLabels(_ labels: Labels, grouping: Set<String>, without: Bool) -> Labels {
        if without { return labels.removing(grouping.union([Labels.metricName])) }
        return grouping.isEmpty ? Labels() : labels.keeping(grouping)
    }

    static func aggregate(_ op: AggregateOp, grouping: Set<String>, without: Bool, param: Double,
                          _ vector: [StepElement], ts: Int64, groupLabels: GroupLabels? = nil) throws(EngineError) -> [StepElement] {
        var k = 0
        if op == .topk || op == .bottomk {
            guard GoMath.convertibleToInt64(param) else {
                throw .execution("Scalar value \(PromFloatText.shortest(param)) overflows int64")
            }
            let whole = GoMath.int64(param)
            if whole < 1 { return [] }
            k = Int(Swift.min(whole, Int64(Int.max / 2)))
        }
        // Keys are numbered densely within one evaluation: an array finds a group without hashing, unless this
        // step holds few of many keys.
        let maxKey = vector.reduce(0) { Swift.max($0, $1.key) }
        let dense = maxKey <= 4 &* vector.count &+ 64 && !vector.contains { $0.key < 0 }
        var slots = dense ? [Int](repeating: -1, count: maxKey + 1) : []
        var groups: [Int: Int] = [:]
        var ordered: [Group] = []
        for element in vector {
            let known = dense ? slots[element.key] : groups[element.key] ?? -1
            guard known >= 0 else {
                let make = { Aggregation.groupedLabels(element.labels, grouping: grouping, without: without) }
                let labels = groupLabels?.labels(element.key, make) ?? make()
                var group = Group(labels: labels, value: element.v, mean: element.v, count: 1)
                switch op {
                case .stddev, .stdvar: group.value = 0
                case .topk, .bottomk: group.heap = [element]
                case .quantile: group.values = [element.v]
                case .group: group.value = 1
                default: break
                }
                if dense { slots[element.key] = ordered.count } else { groups[element.key] = ordered.count }
                ordered.append(group)
                continue
            }
            let index = known
            let v = element.v
            switch op {
            case .sum: ordered[index].value += v
            case .avg:
                ordered[index].count += 1
                let mean = ordered[index].mean
                if mean.isInfinite {
                    if v.isInfinite && (mean > 0) == (v > 0) { break }
                    if !v.isInfinite && !v.isNaN { break }
                }
                let count = Double(ordered[index].count)
                ordered[index].mean += v / count - mean / count
            case .group: break
            case .max: if ordered[index].value < v || ordered[index].value.isNaN { ordered[index].value = v }
            case .min: if ordered[index].value > v || ordered[index].value.isNaN { ordered[index].value = v }
            case .count, .countValues: ordered[index].count += 1
            case .stddev, .stdvar:
                ordered[index].count += 1
                let delta = v - ordered[index].mean
                ordered[index].mean += delta / Double(ordered[index].count)
                ordered[index].value += delta * (v - ordered[index].mean)
            case .topk, .bottomk:
                let less: (StepElement, StepElement) -> Bool = op == .topk
                    ? { $0.v.isNaN || $0.v < $1.v } : { $0.v.isNaN || $0.v > $1.v }
                let top = ordered[index].heap[0].v
                let better = op == .topk ? top < v : top > v
                if ordered[index].heap.count < k || better || top.isNaN {
                    if ordered[index].heap.count == k {
                        if k == 1 {
                            ordered[index].heap[0] = element
                            break
                        }
                        GoHeap.pop(&ordered[index].heap, less)
                    }
                    GoHeap.push(&ordered[index].heap, element, less)
                }
            case .quantile: ordered[index].values.append(v)
            }
        }
        var output: [StepElement] = []
        for group in ordered {
            let value: Double
            switch op {
            case .avg: value = group.mean
            case .count, .countValues: value = Double(group.count)
            case .stdvar: value = group.value / Double(group.count)
            case .stddev: value = (group.value / Double(group.count)).squareRoot()
            case .quantile: value = Quantiles.quantile(param, group.values)
            case .topk:
                output += group.heap.sorted { ($0.v.isNaN ? -Double.infinity : $0.v) > ($1.v.isNaN ? -Double.infinity : $1.v) }
                    .map { StepElement(labels: $0.labels, v: $0.v, t: ts, key: 0) }
                continue
            case .bottomk:
                output += group.heap.sorted { ($0.v.isNaN ? Double.infinity : $0.v) < ($1.v.isNaN ? Double.infinity : $1.v) }
                    .map { StepElement(labels: $0.labels, v: $0.v, t: ts, key: 0) }
                continue
            default: value = group.value
            }
            output.append(StepElement(labels: group.labels, v: value, t: ts, key: 0))
        }
        return output
    }

    /// count_values: the number of elements per value, the value (Go's shortest `%f` text) in label `label`.
    static func countValues(_ label: String, grouping: [String], without: Bool, _ vector: [StepElement],
                            ts: Int64) throws(EngineError) -> [StepElement] {
        guard InstantFunctions.isLabelName(label) else { throw .execution("invalid label name \"\(label)\"") }
        var names = Set(grouping)
        if !without { names.insert(label) }
        var numbers: [GroupKey: Int] = [:]
        let relabelled = vector.map { element -> StepElement in
            let labels = element.labels.with(label, PromFloatText.fixed(element.v))
            let key = (!without && names.isEmpty) ? GroupKey.none : labels.signature(on: !without, names)
            return StepElement(labels: labels, v: element.v, t: ts, key: numbers.number(key))
        }
        return try aggregate(.countValues, grouping: names, without: without, param: 0, relabelled, ts: ts)
    }
}
