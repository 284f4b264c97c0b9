import StrataCore
import StrataPromQL

/// `sum`, `avg`, `count`, `min`, `max`, `group`, `stddev` and `stdvar` read series by series into one accumulator
/// per group and step, instead of a vector of elements built and grouped at every step (which retained every
/// series' labels once per step). Each accumulator takes its group's elements in series order, as the vector of
/// a step lists them, so every value is computed by the same operations in the same order as `Aggregation.aggregate`
/// computes it; groups come in the order `rangeEval` gives them (by the first step they have a value at, then by
/// their first series there).
struct SeriesMajorAggregation {
    /// The operators read this way (no parameter, nothing kept but a value per group).
    static let operators: Set<AggregateOp> = [.sum, .avg, .count, .min, .max, .group, .stddev, .stdvar]
    /// Most accumulators (groups × steps) one aggregation allocates this way; beyond, steps are aggregated one by one.
    static let maxCells = 1 << 20

    let op: AggregateOp
    let steps: Int
    let start: Int64
    let interval: Int64

    /// One accumulator per group and step (`group * steps + step`): Prometheus's group value, mean and count.
    private struct Cells {
        var value: [Double]
        var mean: [Double]
        var count: [Int]

        init(_ size: Int) {
            value = [Double](repeating: 0, count: size)
            mean = [Double](repeating: 0, count: size)
            count = [Int](repeating: 0, count: size)
        }
    }

    /// The groups of `series` (keyed by `keys`: small non-negative numbers) with their values at each step, labelled
    /// by `labels` (called with one of the group's series: they all give the same); nil when that would take more
    /// than `maxCells` accumulators or a point is not at a step, for the step-by-step path.
    func aggregate(_ series: [Series], keys: [Int], check: () throws(EngineError) -> Void,
                   labels: (Labels) -> Labels) throws(EngineError) -> [Series]? {
        guard keys.count == series.count, keys.allSatisfy({ $0 >= 0 }) else { return nil }
        let groupCount = (keys.max() ?? -1) &+ 1
        let (cellCount, overflow) = groupCount.multipliedReportingOverflow(by: steps)
        guard !overflow, cellCount <= Self.maxCells else { return nil }
        var cells = Cells(cellCount)
        // Per group: the (step, series) it first has a value at; a group with none has no value and is no group.
        var firstAt = [(step: Int, series: Int)](repeating: (Int.max, Int.max), count: groupCount)
        for (index, item) in series.enumerated() {
            if index & 255 == 0 { try check() }
            let group = keys[index]
            let row = group &* steps
            for point in item.points {
                let offset = point.t &- start
                guard offset >= 0, interval > 0, offset % interval == 0, offset / interval < Int64(steps) else { return nil }
                let step = Int(offset / interval)
                if step < firstAt[group].step { firstAt[group] = (step, index) }
                accumulate(&cells, row &+ step, point.v)
            }
        }
        let order = (0..<groupCount).filter { firstAt[$0].step < Int.max }.sorted { firstAt[$0] < firstAt[$1] }
        var output: [Series] = []
        output.reserveCapacity(order.count)
        for group in order {
            var points: [Point] = []
            let row = group &* steps
            for step in 0..<steps where cells.count[row &+ step] > 0 {
                points.append(Point(t: start &+ Int64(step) &* interval, v: result(cells, row &+ step)))
            }
            output.append(Series(labels: labels(series[firstAt[group].series].labels), points: points))
        }
        return output
    }

    /// One element into its group's accumulator at one step, as `Aggregation.aggregate` adds an element.
    @inline(__always)
    private func accumulate(_ cells: inout Cells, _ cell: Int, _ v: Double) {
        cells.count[cell] &+= 1
        let count = cells.count[cell]
        if count == 1 {
            cells.mean[cell] = v
            switch op {
            case .stddev, .stdvar: cells.value[cell] = 0
            case .group: cells.value[cell] = 1
            default: cells.value[cell] = v
            }
            return
        }
        switch op {
        case .sum: cells.value[cell] += v
        case .avg:
            let mean = cells.mean[cell]
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { return }
                if !v.isInfinite && !v.isNaN { return }
            }
            cells.mean[cell] += v / Double(count) - mean / Double(count)
        case .max: if cells.value[cell] < v || cells.value[cell].isNaN { cells.value[cell] = v }
        case .min: if cells.value[cell] > v || cells.value[cell].isNaN { cells.value[cell] = v }
        case .stddev, .stdvar:
            let delta = v - cells.mean[cell]
            cells.mean[cell] += delta / Double(count)
            cells.value[cell] += delta * (v - cells.mean[cell])
        default: break
        }
    }

    /// A group's value at one step, as `Aggregation.aggregate` finishes a group.
    private func result(_ cells: Cells, _ cell: Int) -> Double {
        switch op {
        case .avg: return cells.mean[cell]
        case .count: return Double(cells.count[cell])
        case .stdvar: return cells.value[cell] / Double(cells.count[cell])
        case .stddev: return (cells.value[cell] / Double(cells.count[cell])).squareRoot()
        default: return cells.value[cell]
        }
    }
}
