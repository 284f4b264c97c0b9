import StrataCore
import StrataTSDB

/// An in-memory `Querier` for the engine's tests: series with samples (staleness markers kept), matched by label
/// matchers. Only what the engine reads is implemented.
struct MemoryQuerier: Querier {
    var series: [(labels: Labels, samples: [Sample])]

    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        series.enumerated().filter { item in matchers.allSatisfy { $0.matches(item.element.labels) } }
            .map { (StableID(rawValue: UInt64($0.offset + 1)), $0.element.labels) }
    }

    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await select(matchers, budget: budget)
    }

    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult {
        throw QueryError(message: "step queries are not part of the engine's tests")
    }

    func samples(series id: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] { [] }

    func labels(of id: StableID) async -> Labels? { nil }

    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }

    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }

    func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        series.enumerated().filter { item in matchers.allSatisfy { $0.matches(item.element.labels) } }.map { item in
            SelectedSeries(id: StableID(rawValue: UInt64(item.offset + 1)), labels: item.element.labels,
                           samples: item.element.samples.filter { $0.timestampMs >= fromMs && $0.timestampMs <= toMs })
        }
    }
}
