import Foundation
@testable import StrataServer
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import Testing

/// A large matrix answer, written on several cores, is the same JSON as one written series by series: every
/// series once, in order, with Prometheus's number and timestamp text.
struct PromQLAnswerJSONTests {
    static func matrix(series: Int, points: Int) -> [Series] {
        (0..<series).map { n in
            Series(labels: ["__name__": "m", "n": String(n), "quote": "a\"b"],
                   points: (0..<points).map { Point(t: 1_700_000_000_000 + Int64($0) * 15_500, v: Double(n) * 0.1 + Double($0) / 3) })
        }
    }

    static func bytes(_ value: QueryValue) -> [UInt8] {
        var out: [UInt8] = []
        PromQLAnswerJSON.append(value, to: &out)
        return out
    }

    @Test func aLargeMatrixWrittenOnEveryCoreEqualsOneWrittenSeriesBySeries() throws {
        let series = Self.matrix(series: 301, points: 120)
        #expect(series.count * 120 >= PromQLAnswerJSON.parallelPoints)
        var sequential: [UInt8] = Array(#"{"resultType":"matrix","result":["#.utf8)
        PromQLAnswerJSON.appendSeries(series[...], first: true, to: &sequential)
        sequential.append(contentsOf: "]}".utf8)
        let written = Self.bytes(.matrix(series))
        #expect(written == sequential)

        let object = try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any]
        let result = try #require(object?["result"] as? [[String: Any]])
        #expect(result.count == 301)
        for (item, expected) in zip(result, series) {
            let metric = item["metric"] as? [String: String]
            #expect(metric?["n"] == expected.labels["n"])
            #expect(metric?["quote"] == "a\"b")
            let values = try #require(item["values"] as? [[Any]])
            #expect(values.count == 120)
            #expect(values.last?[1] as? String == PromFloatText.sampleValue(expected.points.last!.v))
        }
    }

    @Test func aSmallMatrixIsWrittenAsOneSlice() throws {
        let written = Self.bytes(.matrix(Self.matrix(series: 2, points: 3)))
        let object = try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any]
        #expect((object?["result"] as? [Any])?.count == 2)
        #expect(Self.bytes(.matrix([])) == Array(#"{"resultType":"matrix","result":[]}"#.utf8))
    }
}
