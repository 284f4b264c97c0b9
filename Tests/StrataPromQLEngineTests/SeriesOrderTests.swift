import StrataCore
import StrataPromQL
@testable import StrataPromQLEngine
import StrataTSDB
import Testing

/// Series read only by order-free aggregations are not sorted by labels when loaded; everything else still is, and
/// answers do not change: instant aggregations list their groups in label order whatever order the storage gave.
struct SeriesOrderTests {
    static func unordered(_ query: String) throws -> Set<String> {
        let keys = SeriesOrder.unordered(try PromQLParser.parse(query))
        return Set(keys.map { $0.components(separatedBy: ",").first { $0.hasPrefix("__name__") } ?? $0 })
    }

    @Test func onlySelectorsReadThroughOrderFreeAggregationsAreLeftUnsorted() throws {
        #expect(try Self.unordered("sum by (job) (up)") == ["__name__=\"up\""])
        #expect(try Self.unordered("sum(rate(requests[5m]))") == ["__name__=\"requests\""])
        #expect(try Self.unordered("max(abs(up) * 2)") == ["__name__=\"up\""])
        #expect(try Self.unordered("count(up) / sum(up)").isEmpty, "operands of a vector match keep their order")
        #expect(try Self.unordered("up").isEmpty, "a plain selector's answer is in label order")
        #expect(try Self.unordered("topk(3, up)").isEmpty, "topk breaks ties by order")
        #expect(try Self.unordered("avg(up)").isEmpty, "avg's running mean of infinities depends on order")
        #expect(try Self.unordered("sum(up) + up").isEmpty, "one use in order is enough to sort")
        #expect(try Self.unordered("sum(up / on(job) other)").isEmpty, "matching errors name series in order")
        #expect(try Self.unordered("sum(label_replace(up, \"a\", \"b\", \"c\", \"d\"))").isEmpty)
        #expect(try Self.unordered("sum(sort(up))").isEmpty)
        #expect(try Self.unordered("topk(1, sum by (job) (up))").isEmpty, "topk breaks ties by the order of the groups")
        #expect(try Self.unordered("sum(max by (job) (up))") == ["__name__=\"up\""])
        #expect(try Self.unordered("abs(up)").isEmpty, "a per-series function's answer keeps label order")
        #expect(try Self.unordered("sum by (job) (up) * 2") == ["__name__=\"up\""])
        #expect(try Self.unordered("histogram_quantile(0.9, sum by (le) (rate(b[5m])))") == ["__name__=\"b\""])
        #expect(try Self.unordered("topk(1, histogram_quantile(0.9, b))").isEmpty)
    }

    /// 600 series given by the storage in reverse label order.
    static let reversed: MemoryQuerier = {
        var series: [(labels: Labels, samples: [Sample])] = []
        for n in 0..<600 {
            let labels: Labels = ["__name__": "m", "instance": String(format: "i-%03d", n), "group": "g\(n % 13)"]
            series.append((labels, [Sample(0, Double(n) / 7), Sample(60_000, Double(n) / 3)]))
        }
        return MemoryQuerier(series: series.reversed())
    }()

    static func vector(_ query: String, _ querier: MemoryQuerier) async throws -> [InstantSample] {
        guard case .vector(let samples) = try await Engine().instant(try PromQLParser.parse(query), at: 60_000,
                                                                      querier: querier, budget: .unlimited) else { return [] }
        return samples
    }

    @Test func anInstantAggregationOverUnsortedSeriesListsItsGroupsInLabelOrder() async throws {
        let sum = try await Self.vector("sum by (group) (m)", Self.reversed)
        #expect(sum.map(\.labels) == (0..<13).map { ["group": "g\($0)"] as Labels }.sorted { Labels.precede($0, $1) })
        for sample in sum {
            let members = (0..<600).filter { "g\($0 % 13)" == sample.labels["group"] }
            let expected = members.reduce(0.0) { $0 + Double($1) / 3 }
            #expect(abs(sample.v - expected) <= 1e-9 * abs(expected), "\(sample.labels)")
        }
        let top = try await Self.vector("topk(2, m)", Self.reversed)
        #expect(top.map { $0.labels["instance"] } == ["i-599", "i-598"])
    }

    /// Two groups tie; `topk` keeps the first in Prometheus's order of the groups (their first series in label order),
    /// whatever order the storage gives the series in.
    @Test func topkOverAnAggregationBreaksTiesAsOverSortedSeries() async throws {
        let series: [(labels: Labels, samples: [Sample])] = [
            (["__name__": "t", "group": "a", "instance": "z"], [Sample(60_000, 5)]),
            (["__name__": "t", "group": "b", "instance": "y"], [Sample(60_000, 5)]),
        ]
        for stored in [series, series.reversed()] {
            let top = try await Self.vector("topk(1, sum by (instance) (t))", MemoryQuerier(series: stored))
            #expect(top.map { $0.labels["instance"] } == ["z"])
        }
    }
}
