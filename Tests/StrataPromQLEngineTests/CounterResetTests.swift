import StrataCore
import StrataPromQL
@testable import StrataPromQLEngine
import StrataTSDB
import Testing

/// A range query reads a counter without resets once for them instead of window by window; it answers, step by
/// step and bit for bit, what an instant query at each step answers (which reads every window), with and
/// without resets, NaNs and gaps.
struct CounterResetTests {
    static let querier: MemoryQuerier = {
        var series: [(labels: Labels, samples: [Sample])] = []
        for n in 0..<12 {
            var value = Double(n)
            var samples: [Sample] = []
            for step in 0..<200 where !(n == 5 && (80..<120).contains(step)) {
                value += Double((step * 7 + n) % 11) * 0.25
                if n % 3 == 0 && step % 37 == 36 { value = Double(step % 5) }  // a reset
                samples.append(Sample(Int64(step) * 15_000, n == 4 && step == 60 ? .nan : value))
            }
            series.append((["__name__": "c", "instance": "i\(n)"], samples))
        }
        return MemoryQuerier(series: series)
    }()

    @Test func aRangeQueryOfACounterAnswersWhatInstantQueriesAtEachStepAnswer() async throws {
        #expect([Point(t: 0, v: 1), Point(t: 1, v: 1), Point(t: 2, v: .nan), Point(t: 3, v: 2)].withUnsafeBufferPointer(RangeFunctions.isNonDecreasing))
        #expect(![Point(t: 0, v: 2), Point(t: 1, v: 1)].withUnsafeBufferPointer(RangeFunctions.isNonDecreasing))
        for query in ["rate(c[2m])", "increase(c[5m])", "resets(c[10m])", "sum(rate(c[1m]))"] {
            let expr = try PromQLParser.parse(query)
            guard case .matrix(let range) = try await Engine().range(expr, startMs: 300_000, endMs: 2_900_000, stepMs: 60_000,
                                                                     querier: Self.querier, budget: .unlimited) else {
                Issue.record("\(query) is not a matrix")
                continue
            }
            var fromInstants: [String: [Point]] = [:]
            for t in stride(from: Int64(300_000), through: 2_900_000, by: 60_000) {
                guard case .vector(let samples) = try await Engine().instant(expr, at: t, querier: Self.querier, budget: .unlimited) else { continue }
                for sample in samples { fromInstants["\(sample.labels)", default: []].append(Point(t: t, v: sample.v)) }
            }
            #expect(range.count == fromInstants.count, "\(query)")
            for series in range {
                let expected = fromInstants["\(series.labels)"] ?? []
                #expect(series.points.map(\.t) == expected.map(\.t), "\(query) \(series.labels)")
                #expect(series.points.map(\.v.bitPattern) == expected.map(\.v.bitPattern), "\(query) \(series.labels)")
            }
        }
    }
}
