import StrataCore

/// What every reader of stored samples goes through — the REST query routes today, PromQL, rules and alerting
/// next — in the manner of Prometheus's `storage.Querier`: select series by matchers, read their samples
/// over a time range, list label names and values. Every call that can be expensive runs within a
/// `QueryBudget`. Implementations know nothing of tenants: `TenantQuerier` adds that in one place.
public protocol Querier: Sendable {
    /// The series matching every matcher, sorted by id, with their labels.
    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)]
    /// The series matching every matcher that hold samples (staleness markers included) within `fromMs...toMs`,
    /// decided by chunk bounds as Prometheus decides which series a time range lists; sorted by id.
    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)]
    /// A range query: per-step points of every matching series.
    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult
    /// Raw samples of one series with `fromMs <= timestamp <= toMs`, in time order; staleness markers are left
    /// out (they end a series), a real NaN is a value.
    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample]
    /// The series matching every matcher with their raw samples in `fromMs...toMs`, staleness markers kept, in one
    /// call: what the PromQL engine reads (a call per series would cost an actor hop each, too slow for a `rate`
    /// over 100k series). Series without samples in the window are left out. Sorted by id; checks `budget` between
    /// series.
    func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries]
    /// `selectSamples` with each series' labels as users see them (`Labels.visible`: no `__tenant__`), what a
    /// tenant's querier returns; the engine strips them in its parallel decoding slices.
    func selectVisibleSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries]
    /// `selectSamples` keeping of each series only its newest sample in the window (a staleness marker included):
    /// all an instant vector selector read at one time uses, without an array of every sample per series.
    func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries]
    /// `selectNewestSamples` with each series' labels as users see them.
    func selectVisibleNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries]
    /// The labels of one series, if it is known.
    func labels(of series: StableID) async -> Labels?
    /// Names of the labels of the series matching `matchers`, sorted.
    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String]
    /// Values of label `name` among the series matching `matchers`, sorted.
    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String]
}

extension Querier {
    public func selectVisibleSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        var found = try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
        for index in found.indices { found[index].labels = found[index].labels.visible }
        return found
    }

    public func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget).map(\.newest)
    }

    public func selectVisibleNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectVisibleSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget).map(\.newest)
    }
}

extension TimeSeriesEngine: Querier {
    public nonisolated func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        try await distinct(matching: matchers, budget: budget) { labels, names in
            for label in labels.pairs { names.insert(label.name) }
        }
    }

    public nonisolated func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        try await distinct(matching: matchers, budget: budget) { labels, values in
            if let value = labels[name] { values.insert(value) }
        }
    }

    /// The strings `collect` gathers from the labels of every series matching `matchers`, sorted; matched on the
    /// query threads against a snapshot of the label index, within `budget`.
    private nonisolated func distinct(matching matchers: [LabelMatcher], budget: QueryBudget,
                                      _ collect: @escaping @Sendable (Labels, inout Set<String>) -> Void) async throws -> [String] {
        let index = await labelIndexSnapshot()
        return try await BackgroundThreads.queries.run {
            var found = Set<String>()
            for (count, series) in try index.selectLabelled(matchers, budget: budget).enumerated() {
                if count & 1023 == 0 { try budget.check() }
                collect(series.labels, &found)
            }
            return found.sorted()
        }
    }
}
