import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB
import Testing

/// Aggregations find their groups by the keys numbered once per series, in an array when a step holds many of
/// them and by hashing when it holds few of many: both answer what the series alone give.
struct AggregationGroupingTests {
    /// 3,000 gauges present only in the first minute, and 5 present throughout (ten minutes at 10 s): later steps
    /// hold 5 elements of 3,005 keys.
    static let querier: MemoryQuerier = {
        var series: [(labels: Labels, samples: [Sample])] = []
        for n in 0..<3_005 {
            let steps = n < 3_000 ? 0..<6 : 0..<60
            let samples = steps.map { Sample(Int64($0) * 10_000, Double(n) + Double($0) / 10) }
            series.append((["__name__": "gauge", "n": String(n), "group": "g\(n % 7)"], samples))
        }
        return MemoryQuerier(series: series)
    }()

    static func matrix(_ query: String) async throws -> [Series] {
        let expr = try PromQLParser.parse(query)
        guard case .matrix(let series) = try await Engine().range(expr, startMs: 0, endMs: 590_000, stepMs: 10_000,
                                                                  querier: querier, budget: .unlimited) else { return [] }
        return series
    }

    @Test func aGroupPerSeriesAnswersEachSeriesWithoutItsName() async throws {
        let grouped = try await Self.matrix("sum by (n, group) (gauge)")
        let plain = try await Self.matrix("gauge")
        #expect(grouped.count == 3_005)
        #expect(grouped.map(\.labels) == plain.map { $0.labels.filter { $0.name != "__name__" } })
        #expect(grouped.map(\.points) == plain.map(\.points))
    }

    @Test func fewGroupsCountTheirSeriesAtEveryStep() async throws {
        let counted = try await Self.matrix("count by (group) (gauge)")
        let plain = try await Self.matrix("gauge")
        #expect(counted.count == 7)
        for series in counted {
            let members = plain.filter { $0.labels["group"] == series.labels["group"] }
            for point in series.points {
                let present = members.filter { $0.points.contains { $0.t == point.t } }.count
                #expect(point.v == Double(present), "\(series.labels) at \(point.t)")
            }
        }
    }
}
