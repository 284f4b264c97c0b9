import Foundation
import StrataCore
import StrataPromQL
import StrataTSDB

/// One stored series as the evaluator reads it: labels, its samples with staleness markers (instant selectors
/// stop at one), and the same without them (range selectors leave them out).
struct LoadedSeries {
    var labels: Labels
    /// Samples in time order; a marker's value is `Sample.staleNaNBits`.
    var samples: [Point]
    /// The samples without markers (the same storage when there are none).
    var values: [Point]

    /// The series as the querier returned it.
    init(_ selected: SelectedSeries) {
        labels = selected.labels
        samples = selected.samples
        values = samples.contains { $0.isStaleMarker } ? samples.filter { !$0.isStaleMarker } : samples
    }
}

/// The series of every selector of a query, loaded before evaluation: by selector (its matchers), sorted by
/// labels as Prometheus's storage returns them.
struct SeriesData {
    var bySelector: [String: [LoadedSeries]] = [:]
    /// The keys of the selectors whose series were loaded in any order (`SeriesOrder`).
    var unordered: Set<String> = []

    /// The key under which a selector's series are kept: its matchers.
    static func key(_ selector: VectorSelector) -> String {
        selector.matchers.map(\.description).joined(separator: ",")
    }

    /// The series of `selector`.
    func series(_ selector: VectorSelector) -> [LoadedSeries] { bySelector[Self.key(selector)] ?? [] }

    /// What a selector key needs read: the time window of all its uses, and whether every use is an instant
    /// selector read at one and the same time (so each series' newest sample in the window is all it uses).
    struct Window {
        var selector: VectorSelector
        var from: Int64
        var to: Int64
        var newestOnly: Bool
    }

    /// The time window each selector of `expr` needs when it is evaluated over `start...end` (ms): lookback or
    /// range before, offsets and `@` applied, subqueries widening what is under them. One window per selector
    /// key, the union of its uses.
    static func windows(_ expr: Expr, start: Int64, end: Int64, lookbackMs: Int64) -> [String: Window] {
        var found: [String: Window] = [:]
        func add(_ selector: VectorSelector, before: Int64, lo: Int64, hi: Int64, instant: Bool) {
            let base: (Int64, Int64)
            if case .timestamp(let at) = selector.at { base = (at, at) } else { base = (lo, hi) }
            let from = base.0 &- before &- selector.offsetMs
            let to = base.1 &- selector.offsetMs
            let key = key(selector)
            let once = instant && base.0 == base.1
            if let known = found[key] {
                found[key] = Window(selector: selector, from: Swift.min(known.from, from), to: Swift.max(known.to, to),
                                    newestOnly: known.newestOnly && once && known.from == from && known.to == to)
            } else {
                found[key] = Window(selector: selector, from: from, to: to, newestOnly: once)
            }
        }
        func walk(_ expr: Expr, lo: Int64, hi: Int64) {
            switch expr {
            case .vectorSelector(let selector): add(selector, before: lookbackMs, lo: lo, hi: hi, instant: true)
            case .matrixSelector(let matrix): add(matrix.selector, before: matrix.rangeMs, lo: lo, hi: hi, instant: false)
            case .subquery(let subquery):
                var base = (lo, hi)
                if case .timestamp(let at) = subquery.at { base = (at, at) }
                walk(subquery.expr, lo: base.0 &- subquery.offsetMs &- subquery.rangeMs, hi: base.1 &- subquery.offsetMs)
            default:
                for child in expr.children { walk(child, lo: lo, hi: hi) }
            }
        }
        walk(expr, lo: start, hi: end)
        return found
    }

    /// Loaded series from what the querier returned, in its order.
    static func unsorted(_ selected: [SelectedSeries]) throws(EngineError) -> [LoadedSeries] {
        try ParallelSlices.map(selected) { item throws(EngineError) in LoadedSeries(item) }
    }

    /// Loaded series from what the querier returned, sorted by labels (through byte keys: sorting 100k label
    /// sets pair by pair took a fifth of a `rate` over them). Keys and series are prepared on every core.
    static func loaded(_ selected: [SelectedSeries]) throws(EngineError) -> [LoadedSeries] {
        let prepared = try ParallelSlices.map(selected) { item throws(EngineError) -> (key: [UInt8], series: LoadedSeries) in
            (sortKey(item.labels), LoadedSeries(item))
        }
        let precedes: (Int, Int) -> Bool = { keyPrecedes(prepared[$0].key, prepared[$1].key) }
        // Each core sorts a slice; the standard sort then merges the sorted runs in one linear pass.
        let sortedRuns = ParallelSlices.mapRanges(prepared.count, parts: prepared.count < 1_024 ? 1 : ParallelSlices.cores) {
            $0.sorted(by: precedes)
        }
        let order = sortedRuns.count == 1 ? sortedRuns[0] : sortedRuns.joined().sorted(by: precedes)
        return order.map { prepared[$0].series }
    }

    /// The labels as bytes, each name and value followed by a 0 byte: ordered as `Labels.precede` orders the sets.
    static func sortKey(_ labels: Labels) -> [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(labels.utf8Count)
        for label in labels.pairs {
            key.append(contentsOf: label.name.utf8)
            key.append(0)
            key.append(contentsOf: label.value.utf8)
            key.append(0)
        }
        return key
    }

    static func keyPrecedes(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        let common = Swift.min(left.count, right.count)
        let order = left.withUnsafeBytes { a in right.withUnsafeBytes { b in memcmp(a.baseAddress!, b.baseAddress!, common) } }
        return order != 0 ? order < 0 : left.count < right.count
    }
}
