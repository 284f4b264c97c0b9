import StrataCore
import StrataPromQL
import StrataTSDB

/// Evaluates PromQL expressions as Prometheus 2.42's engine does (`promql/engine.go`): instant queries at one
/// time, range queries over `start...end` at a step; lookback, staleness, `offset`, `@`, subqueries, every
/// function, aggregation and operator. It reads the series every selector needs from a `Querier` first (one bulk
/// read per selector, within the budget), then evaluates without I/O.
///
/// ```swift
/// let engine = Engine()
/// let expr = try PromQLParser.parse("sum by (job) (rate(http_requests_total[5m]))")
/// let answer = try await engine.instant(expr, at: nowMs, querier: tenantQuerier, budget: budget)
/// ```
public struct Engine: Sendable {
    /// Bounds and defaults of evaluation.
    public struct Options: Sendable, Equatable {
        /// How far back an instant selector looks for a sample (Prometheus's `--query.lookback-delta`).
        public var lookbackDeltaMs: Int64
        /// The step of a subquery that names none (Prometheus's global evaluation interval).
        public var defaultSubqueryStepMs: Int64
        /// Most samples a query may load, and most points one node of it may produce (`--query.max-samples`).
        public var maxSamples: Int
        /// Most series one selector may match.
        public var maxSeriesPerSelector: Int

        /// Prometheus's defaults: 5 m lookback, 1 m subquery step; 20 million samples, 500,000 series.
        public init(lookbackDeltaMs: Int64 = 300_000, defaultSubqueryStepMs: Int64 = 60_000,
                    maxSamples: Int = 20_000_000, maxSeriesPerSelector: Int = 500_000) {
            self.lookbackDeltaMs = lookbackDeltaMs
            self.defaultSubqueryStepMs = defaultSubqueryStepMs
            self.maxSamples = maxSamples
            self.maxSeriesPerSelector = maxSeriesPerSelector
        }
    }

    /// The engine's bounds.
    public var options: Options

    /// An engine with `options`.
    public init(options: Options = Options()) {
        self.options = options
    }

    /// `expr` evaluated at `timeMs`: a vector (values stamped with `timeMs`), a scalar, a matrix (range selectors
    /// and subqueries) or a string.
    public func instant(_ expr: Expr, at timeMs: Int64, querier: any Querier,
                        budget: QueryBudget) async throws(EngineError) -> QueryValue {
        let resolved = AtResolution.resolve(expr, start: timeMs, end: timeMs)
        let data = try await load(resolved, start: timeMs, end: timeMs, querier: querier, budget: budget)
        let context = EvalContext(data: data, options: options, budget: budget)
        let result = try Evaluator(start: timeMs, end: timeMs, interval: 1, context: context).eval(resolved)
        switch (result, expr.type) {
        case (.string(let text), _): return .string(text, t: timeMs)
        case (.matrix(let series), .vector):
            return .vector(series.map { InstantSample(labels: $0.labels, t: timeMs, v: $0.points.first?.v ?? .nan) })
        case (.matrix(let series), .scalar):
            return .scalar(Point(t: timeMs, v: series.first?.points.first?.v ?? .nan))
        case (.matrix(let series), _): return .matrix(series)
        }
    }

    /// `expr` evaluated at `startMs`, `startMs + stepMs`, … up to `endMs`: a matrix sorted by labels. Only
    /// instant-vector and scalar expressions can be; `stepMs` must be positive.
    public func range(_ expr: Expr, startMs: Int64, endMs: Int64, stepMs: Int64, querier: any Querier,
                      budget: QueryBudget) async throws(EngineError) -> QueryValue {
        guard expr.type == .vector || expr.type == .scalar else {
            throw EngineError(.badData, "invalid expression type \"\(expr.type.documentedName)\" for range query, must be Scalar or instant Vector")
        }
        guard stepMs > 0, endMs >= startMs else { throw EngineError(.badData, "the range query needs a positive step and an end not before its start") }
        if (endMs &- startMs) / stepMs >= Int64(options.maxSamples) { throw .tooManySamples() }
        let resolved = AtResolution.resolve(expr, start: startMs, end: endMs)
        let data = try await load(resolved, start: startMs, end: endMs, querier: querier, budget: budget)
        let context = EvalContext(data: data, options: options, budget: budget)
        var series = try Evaluator(start: startMs, end: endMs, interval: stepMs, context: context).eval(resolved).series
        series.sort { Labels.precede($0.labels, $1.labels) }
        return .matrix(series)
    }

    /// The series of every selector of `expr` over the windows evaluation will read.
    private func load(_ expr: Expr, start: Int64, end: Int64, querier: any Querier,
                      budget: QueryBudget) async throws(EngineError) -> SeriesData {
        var data = SeriesData()
        data.unordered = SeriesOrder.unordered(expr)
        // The reads stop as soon as they have decoded more than the query may hold, not after loading it all.
        var budget = budget
        budget.sampleLimit = min(budget.sampleLimit, options.maxSamples)
        var loaded = 0
        for (key, window) in SeriesData.windows(expr, start: start, end: end, lookbackMs: options.lookbackDeltaMs) {
            let selected: [SelectedSeries]
            do {
                if window.newestOnly {
                    selected = try await querier.selectNewestSamples(window.selector.matchers, fromMs: window.from, toMs: window.to, budget: budget)
                } else {
                    selected = try await querier.selectSamples(window.selector.matchers, fromMs: window.from, toMs: window.to, budget: budget)
                }
            } catch let error as QueryError {
                throw EngineError(error)
            } catch let error as EngineError {
                throw error
            } catch {
                throw EngineError(.execution, "reading the series failed: \(error)")
            }
            if selected.count > options.maxSeriesPerSelector {
                throw .execution("the selector \(window.selector.matchers.map(\.description).joined(separator: ",")) matches \(selected.count) series, more than the \(options.maxSeriesPerSelector) a query may read; narrow it")
            }
            loaded += selected.reduce(0) { $0 + $1.samples.count }
            if loaded > options.maxSamples { throw .tooManySamples() }
            data.bySelector[key] = try data.unordered.contains(key) ? SeriesData.unsorted(selected) : SeriesData.loaded(selected)
        }
        return data
    }
}
