import StrataCore

/// One tenant's view of a shared store, the one place tenancy is applied to reads: every selection gets the
/// `__tenant__="…"` matcher, a series of another tenant is not readable by id, and internal labels are
/// hidden from what is returned. One engine holds every tenant's series, each labelled with its tenant.
public struct TenantQuerier: Querier {
    /// The store read.
    public let base: any Querier
    /// The tenant whose series are visible.
    public let tenant: String
    private let scope: LabelMatcher

    /// `tenant`'s view of `base`.
    public init(_ base: any Querier, tenant: String) throws(SelectorError) {
        self.base = base
        self.tenant = tenant
        scope = try LabelMatcher(Labels.tenant, .equal, tenant)
    }

    public func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await base.select(scoped(matchers), budget: budget).map { ($0.id, $0.labels.visible) }
    }

    public func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await base.select(scoped(matchers), fromMs: fromMs, toMs: toMs, budget: budget).map { ($0.id, $0.labels.visible) }
    }

    public func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult {
        var scopedQuery = query
        scopedQuery.matchers = scoped(query.matchers)
        var result = try await base.query(scopedQuery, budget: budget)
        for index in result.series.indices { result.series[index].labels = result.series[index].labels.visible }
        return result
    }

    /// Samples of `series` if it is this tenant's; none otherwise.
    public func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        guard await labels(of: series) != nil else { return [] }
        return try await base.samples(series: series, fromMs: fromMs, toMs: toMs)
    }

    public func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await base.selectVisibleSamples(scoped(matchers), fromMs: fromMs, toMs: toMs, budget: budget)
    }

    public func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await base.selectVisibleNewestSamples(scoped(matchers), fromMs: fromMs, toMs: toMs, budget: budget)
    }

    /// The visible labels of `series` if it is this tenant's.
    public func labels(of series: StableID) async -> Labels? {
        guard let labels = await base.labels(of: series), labels[Labels.tenant] == tenant else { return nil }
        return labels.visible
    }

    public func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        try await base.labelNames(matching: scoped(matchers), budget: budget).filter(Labels.isVisible)
    }

    public func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        guard Labels.isVisible(name) else { return [] }
        return try await base.labelValues(name, matching: scoped(matchers), budget: budget)
    }

    private func scoped(_ matchers: [LabelMatcher]) -> [LabelMatcher] {
        matchers.filter { $0.name != Labels.tenant } + [scope]
    }
}
