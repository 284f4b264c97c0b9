import Foundation
import Logging
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import Testing

/// The engine's limits and Strata's storage seam: what stops a query, what cannot trap, and staleness markers as
/// the querier hands them over.
struct EngineBoundsTests {
    static let marker = Double(bitPattern: Sample.staleNaNBits)

    static func querier(_ series: [(Labels, [Sample])]) -> MemoryQuerier {
        MemoryQuerier(series: series.map { (labels: $0.0, samples: $0.1) })
    }

    static func instant(_ query: String, at time: Int64, _ querier: MemoryQuerier,
                        options: Engine.Options = Engine.Options(), budget: QueryBudget = .unlimited) async throws(EngineError) -> QueryValue {
        let expr = try! PromQLParser.parse(query)
        return try await Engine(options: options).instant(expr, at: time, querier: querier, budget: budget)
    }

    @Test func aStalenessMarkerEndsTheSeriesAtOnceButRangesLeaveItOut() async throws {
        let up = Self.querier([(["__name__": "up"], [Sample(0, 1), Sample(15_000, 1), Sample(30_000, Self.marker)])])
        guard case .vector(let before) = try await Self.instant("up", at: 29_000, up) else { Issue.record(); return }
        #expect(before.map(\.v) == [1])
        guard case .vector(let after) = try await Self.instant("up", at: 31_000, up) else { Issue.record(); return }
        #expect(after.isEmpty, "the marker hides the series before the 5 m lookback runs out")
        guard case .vector(let counted) = try await Self.instant("count_over_time(up[1m])", at: 31_000, up) else { Issue.record(); return }
        #expect(counted.map(\.v) == [2])
    }

    @Test func tooManySamplesIsAnExecutionErrorNotAnAllocation() async throws {
        let many = Self.querier([(["__name__": "x"], (0..<1000).map { Sample(Int64($0) * 1000, 1) })])
        await #expect(throws: EngineError.self) {
            try await Self.instant("x[1h]", at: 1_000_000, many, options: Engine.Options(maxSamples: 100))
        }
        let expr = try PromQLParser.parse("vector(1)[100y:1ms]")
        await #expect(throws: EngineError.self) {
            try await Engine().instant(expr, at: 0, querier: many, budget: .unlimited)
        }
    }

    @Test func theStoreStopsReadingOnceTheQueryPassesItsSampleLimit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-bounds-\(UInt32.random(in: 0...UInt32.max))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try TimeSeriesEngine(directory: directory, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await store.append((0..<500).map { n in
            SeriesSamples(seriesID: StableID(parts: ["bounds", String(n)]), samples: (0..<200).map { Sample(Int64($0) * 1_000, 1) },
                          labels: ["__name__": "x", "n": String(n)])
        })
        let budget = QueryBudget.unlimited
        let expr = try PromQLParser.parse("count_over_time(x[1h])")
        do {
            _ = try await Engine(options: Engine.Options(maxSamples: 1_000)).instant(expr, at: 200_000, querier: store, budget: budget)
            Issue.record("expected too many samples")
        } catch {
            #expect(error.kind == .execution && error.message.contains("too many samples"))
        }
        // 100,000 samples match; the store stopped a few series past the engine's limit.
        #expect(budget.samplesDecoded > 1_000 && budget.samplesDecoded < 3_000, "\(budget.samplesDecoded) decoded")
    }

    @Test func aSelectorOverTheSeriesLimitIsRefused() async throws {
        let wide = Self.querier((0..<20).map { (["__name__": "x", "i": String($0)], [Sample(0, 1)]) })
        do {
            _ = try await Self.instant("x", at: 0, wide, options: Engine.Options(maxSeriesPerSelector: 10))
            Issue.record("expected the limit")
        } catch {
            #expect(error.kind == .execution && error.message.contains("20 series"))
        }
    }

    @Test func anExpiredBudgetStopsTheQueryAsATimeout() async throws {
        let data = Self.querier((0..<300).map { (["__name__": "x", "i": String($0)], (0..<100).map { Sample(Int64($0) * 15_000, 1) }) })
        let expr = try PromQLParser.parse("sum(rate(x[5m]))")
        do {
            _ = try await Engine().range(expr, startMs: 0, endMs: 1_500_000, stepMs: 1000, querier: data,
                                         budget: QueryBudget(timeout: .zero))
            Issue.record("expected a timeout")
        } catch {
            #expect(error.kind == .timeout)
        }
    }

    @Test("numbers from the query never trap", arguments: [
        "topk(1e300, x)", "topk(-1e300, x)", "topk(9223372036854775807, x)", "bottomk(NaN, x)",
        "x offset 290y", "x @ 9223372036854775", "x @ -9223372036854775", "rate(x[290y] offset -290y)",
        "year(x * 1e300)", "month(x * NaN)", "days_in_month(x * -Inf)", "x[1ms:1ms] @ 0", "quantile(NaN, x)",
        "round(x, 0)", "clamp(x, NaN, NaN)", "histogram_quantile(Inf, x)", "predict_linear(x[1m], 1e308)",
    ])
    func userNumbersNeverTrap(_ query: String) async throws {
        let data = Self.querier([(["__name__": "x", "le": "1"], [Sample(0, 1), Sample(15_000, 2)])])
        do {
            _ = try await Self.instant(query, at: 30_000, data)
        } catch {
            #expect(error.kind == .execution || error.kind == .badData, "\(error)")
        }
    }

    @Test func aNaNTopkIsWordedAsPrometheusWordsIt() async throws {
        let data = Self.querier([(["__name__": "x"], [Sample(0, 1)])])
        do {
            _ = try await Self.instant("topk(scalar(nothing), x)", at: 0, data)
            Issue.record("expected an error")
        } catch {
            #expect(error == EngineError(.execution, "Scalar value NaN overflows int64"))
        }
    }

    @Test func answersAreWrittenWithGoNumberText() {
        #expect(PromFloatText.sampleValue(1) == "1")
        #expect(PromFloatText.sampleValue(0.1) == "0.1")
        #expect(PromFloatText.sampleValue(1e300) == "1e+300")
        #expect(PromFloatText.sampleValue(1e20) == "100000000000000000000")
        #expect(PromFloatText.sampleValue(1e-7) == "1e-07")
        #expect(PromFloatText.sampleValue(-.infinity) == "-Inf" && PromFloatText.sampleValue(.nan) == "NaN")
        #expect(PromFloatText.fixed(1e21) == "1000000000000000000000")
        #expect(PromFloatText.timestamp(1_500) == "1.500" && PromFloatText.timestamp(-1_050) == "-1.050")
        #expect(PromFloatText.timestamp(7_000) == "7")
    }
}
