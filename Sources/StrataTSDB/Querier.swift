import StrataCore

/// What every reader of stored samples goes through — the REST query routes today, PromQL, rules and alerting
/// next — in the manner of Prometheus's `storage.Querier`: select series by matchers, read their samples
/// over a time range, list label names and values. Every call that can be expensive runs within a
/// `QueryBudget`. Implementations know nothing of tenants: `TenantQuerier` adds that in one place.
public protocol Querier: Sendable {
    /// The series matching every matcher, sorted by id, with their labels.
    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)]
    /// A range query: per-step points of every matching series.
    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult
    /// Raw samples of one series with `fromMs <= timestamp <= toMs`, in time order.
    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample]
    /// The labels of one series, if it is known.
    func labels(of series: StableID) async -> Labels?
    /// Names of the labels of the series matching `matchers`, sorted.
    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String]
    /// Values of label `name` among the series matching `matchers`, sorted.
    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String]
}

extension TimeSeriesEngine: Querier {
    public nonisolated func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        let index = await labelIndexSnapshot()
        return try await BackgroundThreads.queries.run {
            var names = Set<String>()
            for (count, id) in try index.select(matchers, budget: budget).enumerated() {
                if count & 1023 == 0 { try budget.check() }
                for label in index.labels[id]!.pairs { names.insert(label.name) }
            }
            return names.sorted()
        }
    }

    public nonisolated func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        let index = await labelIndexSnapshot()
        return try await BackgroundThreads.queries.run {
            var values = Set<String>()
            for (count, id) in try index.select(matchers, budget: budget).enumerated() {
                if count & 1023 == 0 { try budget.check() }
                if let value = index.labels[id]![name] { values.insert(value) }
            }
            return values.sorted()
        }
    }
}
