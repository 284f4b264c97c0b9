import Foundation
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import Testing

/// Every query the parser's test data and the conformance corpus hold, evaluated over series made up to match
/// whatever a selector asks for (NaN, ±Inf, huge values, staleness markers among their samples): an answer or an
/// `EngineError`, never a trap — timestamps, offsets, steps, `@` times and `topk` k come from the query.
struct EngineRobustnessTests {
    /// A querier that answers every selector with three series satisfying its equality matchers.
    struct AnythingQuerier: Querier {
        func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] { [] }
        func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] { [] }
        func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult { throw QueryError(message: "unused") }
        func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] { [] }
        func labels(of series: StableID) async -> Labels? { nil }
        func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }
        func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] { [] }

        func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
            let values: [Double] = [1, .nan, .infinity, -1e300, 0, Double(bitPattern: Sample.staleNaNBits), 42.5, -.infinity]
            var found: [SelectedSeries] = []
            for index in 0..<3 {
                var labels = Labels(["le": ["0.1", "1", "+Inf"][index], "instance": "i\(index)", "job": "j"].map { Label($0.key, $0.value) })
                for matcher in matchers where matcher.op == .equal { labels = labels.setting(matcher.name, matcher.value) }
                guard matchers.allSatisfy({ $0.matches(labels) }) else { continue }
                let span = toMs &- fromMs
                let step = Swift.max(1, span / 20)
                var samples: [Sample] = []
                var time = fromMs
                for position in 0..<21 {
                    samples.append(Sample(time, values[(position + index) % values.count]))
                    let (next, overflow) = time.addingReportingOverflow(step)
                    if overflow || next > toMs { break }
                    time = next
                }
                found.append(SelectedSeries(id: StableID(rawValue: UInt64(index + 1)), labels: labels, samples: samples))
            }
            return found
        }
    }

    static let queries: [String] = {
        let directory = String(#filePath[..<#filePath.lastIndex(of: "/")!])
        var found: [String] = []
        for file in ["parse_test.json", "prometheus_answers.json"] {
            let path = directory + "/../StrataPromQLTests/Cases/" + file
            guard let data = FileManager.default.contents(atPath: path),
                  let cases = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { continue }
            found += cases.compactMap { $0["input"] as? String }
        }
        if let corpus = try? String(contentsOfFile: directory + "/../IntegrationTests/Fixtures/promql/corpus.txt", encoding: .utf8) {
            for line in corpus.split(separator: "\n") where !line.hasPrefix("#") && !line.isEmpty {
                let text = line.components(separatedBy: "  # expect:")[0]
                found.append(text.replacingOccurrences(of: "${START}", with: "1700000000")
                    .replacingOccurrences(of: "${MID}", with: "1700003600").replacingOccurrences(of: "${END}", with: "1700007200"))
            }
        }
        return found.filter { (try? PromQLParser.parse($0)) != nil }
    }()

    @Test func everyParsableQueryAnswersOrFailsWithAnEngineError() async throws {
        #expect(Self.queries.count > 500)
        let engine = Engine(options: Engine.Options(maxSamples: 200_000))
        let querier = AnythingQuerier()
        var answered = 0
        for query in Self.queries {
            let expr = try PromQLParser.parse(query)
            for time: Int64 in [0, 1_700_003_600_000, -62_135_596_800_000] {
                do {
                    _ = try await engine.instant(expr, at: time, querier: querier, budget: .unlimited)
                    answered += 1
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
            if expr.type == .vector || expr.type == .scalar {
                do {
                    _ = try await engine.range(expr, startMs: 1_700_000_000_000, endMs: 1_700_003_600_000, stepMs: 600_000,
                                               querier: querier, budget: .unlimited)
                    answered += 1
                } catch {
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(answered > Self.queries.count, "most evaluations answer")
    }
}
