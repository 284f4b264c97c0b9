import Foundation
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import Testing

/// Prometheus's own PromQL tests (`Cases/*.test`, from v2.42.0, and Strata's `strata.test`) run against the engine: every `eval` as an
/// instant query and as a range query around the same time, as Prometheus's runner does.
struct PrometheusTestdataTests {
    static let directory: String = {
        let file = #filePath
        return String(file[..<file.lastIndex(of: "/")!]) + "/Cases/"
    }()

    static let files = ["aggregators", "at_modifier", "collision", "functions", "histograms", "literals", "operators",
                        "selectors", "staleness", "subquery", "trig_functions", "strata"]

    /// Evaluations the engine answers differently from Prometheus 2.42, by file and line, each with its reason.
    static let knownDifferences: [String: [Int: String]] = [:]

    @Test("Prometheus's PromQL test files pass", arguments: files)
    func prometheusTestFile(_ name: String) async throws {
        let text = try String(contentsOfFile: Self.directory + name + ".test", encoding: .utf8)
        let script = try PromQLTestScript(text)
        let failures = await Self.run(script, known: Self.knownDifferences[name] ?? [:])
        #expect(failures.isEmpty, "\(name).test: \(failures.count) failing evaluations:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    /// The failures of `script`'s evaluations, one line each, leaving out the lines in `known`.
    static func run(_ script: PromQLTestScript, known: [Int: String]) async -> [String] {
        var querier = MemoryQuerier(series: [])
        var failures: [String] = []
        let engine = Engine(options: Engine.Options(maxSamples: 50_000_000))
        for command in script.commands {
            switch command {
            case .clear: querier = MemoryQuerier(series: [])
            case .load(let series): querier.series += series
            case .eval(let eval):
                guard known[eval.line] == nil else { continue }
                if let failure = await check(eval, engine: engine, querier: querier) {
                    failures.append("line \(eval.line): \(eval.expr): \(failure)")
                }
            }
        }
        return failures
    }

    /// The evaluation as written and, as Prometheus's runner adds, with every selector and subquery pinned to the
    /// evaluation time by `@` and evaluated at other times (unless a function depends on the evaluation time).
    static func check(_ eval: PromQLTestScript.Eval, engine: Engine, querier: MemoryQuerier) async -> String? {
        let expr: Expr
        do {
            expr = try PromQLParser.parse(eval.expr)
        } catch {
            return eval.fail ? nil : "parse error \(error)"
        }
        if let failure = await check(expr, at: eval.timeMs, eval, engine: engine, querier: querier) { return failure }
        guard let pinned = Pinning.pinned(expr, at: eval.timeMs) else { return nil }
        let ts = eval.timeMs
        for time in ts == 0 ? [-1000, 0, 1000] : [-10 * ts, 0, ts / 5, ts, 10 * ts] {
            if let failure = await check(pinned, at: time, eval, engine: engine, querier: querier) {
                return "with @ \(ts) at \(time): " + failure
            }
        }
        return nil
    }

    static func check(_ expr: Expr, at timeMs: Int64, _ eval: PromQLTestScript.Eval, engine: Engine, querier: MemoryQuerier) async -> String? {
        var eval = eval
        eval.timeMs = timeMs
        let answer: QueryValue
        do {
            answer = try await engine.instant(expr, at: eval.timeMs, querier: querier, budget: .unlimited)
        } catch {
            return eval.fail ? nil : "error \(error)"
        }
        if eval.fail { return "expected an error, got an answer" }
        let got: [(Labels, Double)]
        switch answer {
        case .vector(let samples): got = samples.map { ($0.labels, $0.v) }
        case .scalar(let point): got = [(Labels(), point.v)]
        case .matrix: return "a matrix answer to an instant evaluation"
        case .string(let text, _): return "a string answer \(text)"
        }
        if let problem = compare(got, eval) { return "instant: " + problem }
        guard !eval.ordered, expr.type == .vector || expr.type == .scalar else { return nil }
        let ranged: QueryValue
        do {
            ranged = try await engine.range(expr, startMs: eval.timeMs - 60_000, endMs: eval.timeMs + 60_000, stepMs: 60_000,
                                            querier: querier, budget: .unlimited)
        } catch {
            return "range mode: error \(error)"
        }
        guard case .matrix(let series) = ranged else { return "range mode: not a matrix" }
        let middle = series.compactMap { item in item.points.first { $0.t == eval.timeMs }.map { (item.labels, $0.v) } }
        if let problem = compare(middle, eval) { return "range mode: " + problem }
        return nil
    }

    /// Whether the answer has exactly the expected label sets, values equal within Prometheus's test epsilon, and
    /// for `eval_ordered` the expected order.
    static func compare(_ got: [(Labels, Double)], _ eval: PromQLTestScript.Eval) -> String? {
        let show = { (items: [(Labels, Double)]) in items.map { "\($0.0.pairs.map { "\($0.name)=\($0.value)" }) \($0.1)" }.joined(separator: "; ") }
        if eval.isScalar {
            guard got.count == 1, almostEqual(got[0].1, eval.expected[0].value) else {
                return "expected scalar \(eval.expected[0].value), got \(show(got))"
            }
            return nil
        }
        var expected: [Labels: (Int, Double)] = [:]
        for (position, item) in eval.expected.enumerated() { expected[item.labels] = (position, item.value) }
        guard got.count == expected.count else { return "expected \(show(eval.expected.map { ($0.labels, $0.value) })), got \(show(got))" }
        for (position, item) in got.enumerated() {
            guard let want = expected[item.0] else { return "unexpected \(show([item])); expected \(show(eval.expected.map { ($0.labels, $0.value) }))" }
            if eval.ordered && want.0 != position { return "\(show([item])) at position \(position), expected at \(want.0)" }
            if !almostEqual(want.1, item.1) { return "expected \(want.1) for \(show([item]))" }
        }
        return nil
    }

    /// Prometheus's test comparison: both NaN, equal, or within a relative 1e-6.
    static func almostEqual(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN && b.isNaN { return true }
        if a == b { return true }
        let diff = abs(a - b)
        let minNormal = 2.2250738585072014e-308
        if a == 0 || b == 0 || diff < minNormal { return diff < 1e-6 * minNormal }
        return diff / (abs(a) + abs(b)) < 1e-6
    }
}

/// Prometheus's `atModifierTestCases`: `@ <time>` on every selector and subquery without one (not inside a subquery),
/// nil when a function's result depends on the evaluation time.
enum Pinning {
    static let timeDependent: Set<String> = ["days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
                                             "minute", "month", "year", "predict_linear", "time", "timestamp"]

    static func pinned(_ expr: Expr, at time: Int64) -> Expr? {
        var dependent = false
        let result = expr.rewritten { node in
            switch node {
            case .vectorSelector(var selector):
                if selector.at == nil { selector.at = .timestamp(time) }
                return .vectorSelector(selector)
            case .matrixSelector(var matrix):
                if matrix.selector.at == nil { matrix.selector.at = .timestamp(time) }
                return .matrixSelector(matrix)
            case .subquery(var subquery):
                // What is inside a subquery keeps its times and is not looked at (as in Prometheus's runner).
                if subquery.at == nil { subquery.at = .timestamp(time) }
                return .subquery(subquery)
            case .call(let call):
                if timeDependent.contains(call.function.name) { dependent = true }
                return nil
            default:
                return nil
            }
        }
        return dependent ? nil : result
    }
}
