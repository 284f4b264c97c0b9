import Foundation
import StrataCore
import StrataPromQL
import StrataTSDB

/// The functions of instant vectors and scalars, one step at a time, as Prometheus 2.42's `functions.go` defines
/// them. Most drop the metric name; `label_*`, `sort*`, `vector` and `scalar` shape their own labels.
enum InstantFunctions {
    /// What a function keeps between the steps of one node: the compiled `label_replace` regex and label sets
    /// already rewritten.
    struct State {
        var labelRegex: LabelRegex?
        var rewritten: [Labels: Labels] = [:]
    }

    /// `name` applied at step `ts` to the arguments' elements (`vectors[i]`; a scalar argument is one element,
    /// a string argument is read from `args[i]`).
    static func call(_ name: String, args: [Expr], vectors: [[StepElement]], ts: Int64,
                     state: inout State) throws(EngineError) -> [StepElement] {
        func scalar(_ index: Int) -> Double { vectors[index].first?.v ?? .nan }
        func map(_ transform: (Double) -> Double) -> [StepElement] {
            vectors[0].map { StepElement(labels: $0.labels.droppingName, v: transform($0.v), t: ts, key: 0) }
        }
        switch name {
        case "time": return [StepElement(labels: Labels(), v: Double(ts) / 1000, t: ts, key: 0)]
        case "pi": return [StepElement(labels: Labels(), v: Double.pi, t: ts, key: 0)]
        case "vector": return [StepElement(labels: Labels(), v: scalar(0), t: ts, key: 0)]
        case "scalar":
            let value = vectors[0].count == 1 ? vectors[0][0].v : .nan
            return [StepElement(labels: Labels(), v: value, t: ts, key: 0)]
        case "abs": return map { Swift.abs($0) }
        case "ceil": return map { $0.rounded(.up) }
        case "floor": return map { $0.rounded(.down) }
        case "exp": return map(Foundation.exp)
        case "sqrt": return map { $0.squareRoot() }
        case "ln": return map(Foundation.log)
        case "log2": return map(Foundation.log2)
        case "log10": return map(Foundation.log10)
        case "sin": return map(Foundation.sin)
        case "cos": return map(Foundation.cos)
        case "tan": return map(Foundation.tan)
        case "asin": return map(Foundation.asin)
        case "acos": return map(Foundation.acos)
        case "atan": return map(Foundation.atan)
        case "sinh": return map(Foundation.sinh)
        case "cosh": return map(Foundation.cosh)
        case "tanh": return map(Foundation.tanh)
        case "asinh": return map(Foundation.asinh)
        case "acosh": return map(Foundation.acosh)
        case "atanh": return map(Foundation.atanh)
        case "rad": return map { $0 * Double.pi / 180 }
        case "deg": return map { $0 * 180 / Double.pi }
        case "sgn": return map { $0 < 0 ? -1 : $0 > 0 ? 1 : $0 }
        case "timestamp": return vectors[0].map { StepElement(labels: $0.labels.droppingName, v: Double($0.t) / 1000, t: ts, key: 0) }
        case "clamp":
            let low = scalar(1), high = scalar(2)
            if high < low { return [] }
            return map { GoMath.max(low, GoMath.min(high, $0)) }
        case "clamp_max":
            let high = scalar(1)
            return map { GoMath.min(high, $0) }
        case "clamp_min":
            let low = scalar(1)
            return map { GoMath.max(low, $0) }
        case "round":
            let inverse = 1.0 / (args.count >= 2 ? scalar(1) : 1)
            return map { ($0 * inverse + 0.5).rounded(.down) / inverse }
        case "sort":
            return vectors[0].sorted { (!$0.v.isNaN && $1.v.isNaN) || $0.v < $1.v }
        case "sort_desc":
            return vectors[0].sorted { (!$0.v.isNaN && $1.v.isNaN) || $0.v > $1.v }
        case "absent":
            return vectors[0].isEmpty ? [StepElement(labels: absentLabels(args[0]), v: 1, t: ts, key: 0)] : []
        case "histogram_quantile": return histogramQuantile(scalar(0), vectors[1], ts: ts)
        case "histogram_count", "histogram_sum", "histogram_fraction":
            return []  // native histograms only; Strata stores none
        case "label_replace": return try labelReplace(args, vectors[0], ts: ts, state: &state)
        case "label_join": return try labelJoin(args, vectors[0], ts: ts, state: &state)
        case "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year":
            return date(name, vectors.first, ts: ts)
        default:
            throw .execution("function \"\(name)\" is not supported")
        }
    }

    /// The calendar functions, in UTC: of the step's time without an argument, else of each value as Unix
    /// seconds (truncated as Go's `int64()` truncates).
    static func date(_ name: String, _ vector: [StepElement]?, ts: Int64) -> [StepElement] {
        func field(_ date: GoDate) -> Double {
            switch name {
            case "day_of_month": return Double(date.day)
            case "day_of_week": return Double(date.weekday)
            case "day_of_year": return Double(date.yearDay)
            case "days_in_month": return Double(date.daysInMonth)
            case "hour": return Double(date.hour)
            case "minute": return Double(date.minute)
            case "month": return Double(date.month)
            default: return Double(date.year)
            }
        }
        guard let vector else {
            let seconds = ts / 1000  // Go's division truncates toward zero, as Swift's does
            return [StepElement(labels: Labels(), v: field(GoDate(unixSeconds: seconds)), t: ts, key: 0)]
        }
        return vector.map { StepElement(labels: $0.labels.droppingName, v: field(GoDate(unixSeconds: GoMath.int64($0.v))), t: ts, key: 0) }
    }

    /// The labels `absent` and `absent_over_time` give their one series: the selector's equality matchers
    /// (not the metric name), a label matched twice left out.
    static func absentLabels(_ argument: Expr) -> Labels {
        let matchers: [LabelMatcher]
        switch StepInvariance.unwrapParens(argument) {
        case .vectorSelector(let selector): matchers = selector.matchers
        case .matrixSelector(let matrix): matchers = matrix.selector.matchers
        default: return Labels()
        }
        var labels = Labels()
        var seen = Set<String>()
        for matcher in matchers where matcher.name != Labels.metricName {
            if matcher.op == .equal && !seen.contains(matcher.name) {
                labels = labels.with(matcher.name, matcher.value)
                seen.insert(matcher.name)
            } else {
                labels = labels.removing([matcher.name])
            }
        }
        return labels
    }

    /// The group of a bucket series (`histogramQuantile` reads it as its elements' `key`).
    static func bucketGroup(_ labels: Labels) -> GroupKey { labels.signature(on: false, bucketLabel, keepingName: true) }
    private static let bucketLabel: Set<String> = ["le"]
    private static let notInQuantile: Set<String> = [Labels.metricName, "le"]

    /// histogram_quantile over classic buckets: elements grouped by all labels but `le` (the name included), by
    /// their `key` (`bucketGroup`), each group's quantile labelled without `le` and the name. Elements without a
    /// parsable `le` are skipped.
    static func histogramQuantile(_ q: Double, _ vector: [StepElement], ts: Int64) -> [StepElement] {
        var index: [Int: Int] = [:]
        var groups: [(labels: Labels, buckets: [Quantiles.Bucket])] = []
        for element in vector {
            guard let text = element.labels["le"], let bound = parseGoFloat(text) else { continue }
            let position: Int
            if let known = index[element.key] {
                position = known
            } else {
                position = groups.count
                index[element.key] = position
                groups.append((element.labels.removing(notInQuantile), []))
            }
            groups[position].buckets.append(Quantiles.Bucket(upperBound: bound, count: element.v))
        }
        return groups.map { group in
            StepElement(labels: group.labels, v: Quantiles.bucketQuantile(q, group.buckets), t: ts, key: 0)
        }
    }

    /// Go's `strconv.ParseFloat` for the values it takes in `le` labels: decimals, exponents, hex floats,
    /// `Inf`/`+Inf`/`-Inf`/`Infinity` and `NaN` in any case.
    static func parseGoFloat(_ text: String) -> Double? {
        guard let first = text.utf8.first, first != UInt8(ascii: " "), text.utf8.last != UInt8(ascii: " ") else { return nil }
        // Plain decimals (the usual `le`): read as Go reads them, without the case folding below.
        if text.utf8.allSatisfy({ (48...57).contains($0) || $0 == 46 || $0 == 43 || $0 == 45 || $0 == 101 || $0 == 69 }) {
            return Double(text)
        }
        let lowered = text.lowercased()
        switch lowered {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        guard !lowered.contains("n"), !lowered.contains("i") else { return nil }
        return Double(text)
    }

    /// Whether `name` is a valid label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 95 || (65...90).contains(first) || (97...122).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    static func stringArg(_ expr: Expr) -> String {
        if case .string(let literal) = StepInvariance.unwrapParens(expr) { return literal.value }
        return ""
    }

    /// label_replace: where the regex matches all of the source label's value, the destination label becomes
    /// the expanded replacement (removed when that is empty); elsewhere the labels stay.
    static func labelReplace(_ args: [Expr], _ vector: [StepElement], ts: Int64, state: inout State) throws(EngineError) -> [StepElement] {
        let destination = stringArg(args[1]), replacement = stringArg(args[2])
        let source = stringArg(args[3]), pattern = stringArg(args[4])
        if state.labelRegex == nil {
            guard let regex = LabelRegex(pattern) else {
                throw .execution("invalid regular expression in label_replace(): \(pattern)")
            }
            guard isLabelName(destination) else {
                throw .execution("invalid destination label name in label_replace(): \(destination)")
            }
            state.labelRegex = regex
        }
        let regex = state.labelRegex!
        return vector.map { element in
            if let known = state.rewritten[element.labels] {
                return StepElement(labels: known, v: element.v, t: ts, key: 0)
            }
            var labels = element.labels
            let value = element.labels[source] ?? ""
            if let expanded = regex.expand(replacement, matching: value) {
                labels = labels.with(destination, expanded)
            }
            state.rewritten[element.labels] = labels
            return StepElement(labels: labels, v: element.v, t: ts, key: 0)
        }
    }

    /// label_join: the destination label becomes the source labels' values joined by the separator (removed when
    /// that is empty).
    static func labelJoin(_ args: [Expr], _ vector: [StepElement], ts: Int64, state: inout State) throws(EngineError) -> [StepElement] {
        let destination = stringArg(args[1]), separator = stringArg(args[2])
        let sources = args.dropFirst(3).map(stringArg)
        for source in sources where !isLabelName(source) {
            throw .execution("invalid source label name in label_join(): \(source)")
        }
        guard isLabelName(destination) else { throw .execution("invalid destination label name in label_join(): \(destination)") }
        return vector.map { element in
            if let known = state.rewritten[element.labels] {
                return StepElement(labels: known, v: element.v, t: ts, key: 0)
            }
            let joined = sources.map { element.labels[$0] ?? "" }.joined(separator: separator)
            let labels = element.labels.with(destination, joined)
            state.rewritten[element.labels] = labels
            return StepElement(labels: labels, v: element.v, t: ts, key: 0)
        }
    }
}
