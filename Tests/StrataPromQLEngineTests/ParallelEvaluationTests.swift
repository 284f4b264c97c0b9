import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import Testing

/// Queries over enough series to be split across cores (loading, range functions) answer exactly what the same
/// queries answer one series at a time, in the same order, with the same staleness handling.
struct ParallelEvaluationTests {
    /// 5,000 counters with resets, gaps and a staleness marker in some, every 10 s over 10 minutes.
    static let querier: MemoryQuerier = {
        var series: [(labels: Labels, samples: [Sample])] = []
        for n in 0..<5_000 {
            var samples: [Sample] = []
            var value = Double(n % 97)
            for step in 0..<60 where (step + n) % 13 != 0 {
                value = (step + n) % 41 == 0 ? 0 : value + Double((n * 7 + step) % 11)
                samples.append(Sample(Int64(step) * 10_000, value))
            }
            if n % 10 == 0 { samples.append(Sample(600_000, Double(bitPattern: Sample.staleNaNBits))) }
            series.append((["__name__": "requests_total", "n": String(n), "job": "j\(n % 3)"], samples))
        }
        return MemoryQuerier(series: series)
    }()

    static func matrix(_ query: String, _ querier: MemoryQuerier, from: Int64, to: Int64, step: Int64) async throws -> [Series] {
        let expr = try PromQLParser.parse(query)
        guard case .matrix(let series) = try await Engine().range(expr, startMs: from, endMs: to, stepMs: step, querier: querier,
                                                                  budget: .unlimited) else { return [] }
        return series
    }

    @Test(arguments: ["rate(requests_total[1m])", "increase(requests_total[2m])", "max_over_time(requests_total[1m])",
                      "requests_total", "resets(requests_total[5m])"])
    func manySeriesAnswerWhatEachSeriesAnswersAlone(query: String) async throws {
        let together = try await Self.matrix(query, Self.querier, from: 60_000, to: 610_000, step: 30_000)
        #expect(together.count > 4_000)
        var alone: [Series] = []
        for n in stride(from: 0, to: 5_000, by: 1) {
            let single = MemoryQuerier(series: [Self.querier.series[n]])
            alone += try await Self.matrix(query, single, from: 60_000, to: 610_000, step: 30_000)
        }
        let byLabels: (Series, Series) -> Bool = { "\($0.labels)" < "\($1.labels)" }
        alone.sort(by: byLabels)
        let sorted = together.sorted(by: byLabels)
        #expect(sorted.map(\.labels) == alone.map(\.labels))
        #expect(sorted.map(\.points) == alone.map(\.points))
    }

    @Test func aBudgetThatRunsOutStopsAParallelRangeFunction() async throws {
        let expr = try PromQLParser.parse("rate(requests_total[1m])")
        await #expect(throws: EngineError.self) {
            try await Engine().range(expr, startMs: 60_000, endMs: 610_000, stepMs: 1_000, querier: Self.querier,
                                     budget: QueryBudget(timeout: .zero))
        }
    }

    @Test func manySeriesComeOutOfAnInstantSelectorInLabelOrder() async throws {
        let expr = try PromQLParser.parse("requests_total")
        guard case .vector(let samples) = try await Engine().instant(expr, at: 590_000, querier: Self.querier, budget: .unlimited) else {
            Issue.record("not a vector")
            return
        }
        #expect(samples.count > 4_000)
        func key(_ labels: Labels) -> [UInt8] { labels.pairs.flatMap { Array($0.name.utf8) + [0] + Array($0.value.utf8) + [0] } }
        let keys = samples.map { key($0.labels) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0.lexicographicallyPrecedes($1) }, "sorted by labels, as Prometheus's storage returns them")
    }
}
