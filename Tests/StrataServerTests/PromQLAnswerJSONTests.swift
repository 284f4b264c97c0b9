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

    /// Series with gaps and times of their own: each point's timestamp text is its own time's, not the text kept
    /// for its position from the series before.
    @Test func timestampTextsFollowEachSeriesOwnTimes() throws {
        var series = Self.matrix(series: 3, points: 5)
        series[1].points.remove(at: 2)
        series[2].points[3].t += 1
        series.append(Series(labels: ["n": "far"], points: [Point(t: -62_135_596_800_123, v: 1), Point(t: 0, v: 2)]))
        series.append(Series(labels: ["n": "least"], points: [Point(t: .min, v: 1), Point(t: .max, v: 2)]))
        // The earliest time first in a slice: its cell is new (it once passed for a cell already holding it).
        series.insert(Series(labels: ["n": "least first"], points: [Point(t: .min, v: 3)]), at: 0)
        var written: [UInt8] = []
        PromQLAnswerJSON.appendSeries(series[...], first: true, to: &written)
        var expected: [UInt8] = []
        for (index, item) in series.enumerated() {
            expected.append(contentsOf: (index > 0 ? #",{"metric":"# : #"{"metric":"#).utf8)
            PromQLAnswerJSON.appendLabels(item.labels, to: &expected)
            expected.append(contentsOf: #","values":["#.utf8)
            for (position, point) in item.points.enumerated() {
                if position > 0 { expected.append(UInt8(ascii: ",")) }
                PromQLAnswerJSON.appendPoint(point.t, point.v, to: &expected)
            }
            expected.append(contentsOf: "]}".utf8)
        }
        #expect(String(decoding: written, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test func aSmallMatrixIsWrittenAsOneSlice() throws {
        let written = Self.bytes(.matrix(Self.matrix(series: 2, points: 3)))
        let object = try JSONSerialization.jsonObject(with: Data(written)) as? [String: Any]
        #expect((object?["result"] as? [Any])?.count == 2)
        #expect(Self.bytes(.matrix([])) == Array(#"{"resultType":"matrix","result":[]}"#.utf8))
    }
}
