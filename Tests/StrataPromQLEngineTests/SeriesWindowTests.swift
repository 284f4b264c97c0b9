import StrataCore
import StrataPromQL
@testable import StrataPromQLEngine
import StrataTSDB
import Testing

/// What each selector of a query reads: the window of all its uses, and only each series' newest sample when
/// every use is an instant selector read at one time (an instant query, or `@` pinning it).
struct SeriesWindowTests {
    /// Metric name → whether its selector is read as newest samples only, for a query over `start...end` (s).
    static func newestOnly(_ query: String, start: Int64 = 3_600, end: Int64 = 3_600) throws -> [String: Bool] {
        let windows = SeriesData.windows(try PromQLParser.parse(query), start: start * 1_000, end: end * 1_000, lookbackMs: 300_000)
        var found: [String: Bool] = [:]
        for window in windows.values {
            let name = window.selector.matchers.first { $0.name == Labels.metricName }?.value ?? ""
            found[name] = window.newestOnly
        }
        return found
    }

    @Test func onlyInstantSelectorsReadAtOneTimeReadTheNewestSampleOnly() throws {
        #expect(try Self.newestOnly("sum by (job) (up)") == ["up": true])
        #expect(try Self.newestOnly("up + on(job) group_left other") == ["up": true, "other": true])
        #expect(try Self.newestOnly("timestamp(up)") == ["up": true], "timestamp reads the newest sample's own time")
        #expect(try Self.newestOnly("up", start: 0) == ["up": false], "a range query reads every step")
        #expect(try Self.newestOnly("up @ 100", start: 0) == ["up": true], "@ pins every step to one time")
        #expect(try Self.newestOnly("rate(up[5m])") == ["up": false], "a range selector reads its window")
        #expect(try Self.newestOnly("up + rate(up[5m])") == ["up": false], "one range use reads everything")
        #expect(try Self.newestOnly("up - up offset 1m") == ["up": false], "two times for one key")
        #expect(try Self.newestOnly("max_over_time(up[10m:1m])") == ["up": false], "a subquery reads several times")
        #expect(try Self.newestOnly("up offset 5m") == ["up": true])
    }

    /// The newest samples a querier returns answer an instant query as all its samples do.
    @Test func anInstantQueryAnswersTheSameFromTheNewestSamples() async throws {
        var series: [(labels: Labels, samples: [Sample])] = []
        let marker = Double(bitPattern: Sample.staleNaNBits)
        for n in 0..<50 {
            var samples = (0..<40).map { Sample(Int64($0) * 15_000, Double(n * 40 + $0)) }
            if n % 7 == 0 { samples.append(Sample(600_000, marker)) }
            if n % 5 == 0 { samples.removeLast(12) }
            series.append((["__name__": "m", "instance": "i\(n)", "group": "g\(n % 4)"], samples))
        }
        let querier = MemoryQuerier(series: series)
        let full = FullReadQuerier(base: querier)
        for query in ["m", "sum by (group) (m)", "timestamp(m)", "m > 1000", "count(m offset 2m)", "m @ 400"] {
            for at: Int64 in [300_000, 585_000, 600_000, 700_000, 900_000] {
                let expr = try PromQLParser.parse(query)
                let newest = try await Engine().instant(expr, at: at, querier: querier, budget: .unlimited)
                let all = try await Engine().instant(expr, at: at, querier: full, budget: .unlimited)
                #expect("\(newest)" == "\(all)", "\(query) at \(at)")
            }
        }
    }
}

/// A querier answering newest-sample reads with every sample in the window: what the engine read before.
private struct FullReadQuerier: Querier {
    let base: MemoryQuerier
    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await base.select(matchers, budget: budget)
    }
    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await base.select(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
    }
    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult { try await base.query(query, budget: budget) }
    func samples(series id: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] { [] }
    func labels(of id: StableID) async -> Labels? { nil }
    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }
    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }
    func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await base.selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
    }
    func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await base.selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
    }
}
