import StrataCore
import StrataPromQL
@testable import StrataPromQLEngine
import Testing

/// Aggregating series by series gives, bit for bit and in the same group order, what aggregating the vector of
/// each step gives (`Aggregation.aggregate` assembled as `rangeEval` assembles it), for every operator it takes,
/// with NaNs, infinities, gaps, groups first seen at later steps and a series without points.
struct SeriesMajorAggregationTests {
    static let steps = 30
    static let start: Int64 = 600_000
    static let interval: Int64 = 15_000

    static func input() -> [Series] {
        var generator = SplitMix64(state: 21)
        var series: [Series] = []
        for n in 0..<90 {
            var points: [Point] = []
            let firstStep = n % 9 == 4 ? 12 : 0
            for step in firstStep..<steps where Int.random(in: 0..<10, using: &generator) > 0 {
                var v = Double(Int.random(in: -50...50, using: &generator)) * 0.37
                switch Int.random(in: 0..<60, using: &generator) {
                case 0: v = .nan
                case 1: v = .infinity
                case 2: v = -.infinity
                default: break
                }
                points.append(Point(t: start + Int64(step) * interval, v: v))
            }
            series.append(Series(labels: ["__name__": "m", "job": "j\(n % 3)", "instance": "i\(n % 11)", "n": "\(n)"], points: points))
        }
        // A series without points (a group of it alone has no value at any step, so no group at all).
        series.insert(Series(labels: ["__name__": "m", "job": "j9", "instance": "empty", "n": "none"], points: []), at: 7)
        return series
    }

    /// The step-by-step reference: a vector per step in series order, groups in order of first appearance.
    static func reference(_ op: AggregateOp, _ series: [Series], keys: [Int], grouping: Set<String>, without: Bool) throws -> [Series] {
        var order: [Labels] = []
        var points: [Labels: [Point]] = [:]
        for step in 0..<steps {
            let ts = start + Int64(step) * interval
            var vector: [StepElement] = []
            for (position, item) in series.enumerated() {
                if let point = item.points.first(where: { $0.t == ts }) {
                    vector.append(StepElement(labels: item.labels, v: point.v, t: ts, key: keys[position]))
                }
            }
            for element in try Aggregation.aggregate(op, grouping: grouping, without: without, param: 0, vector, ts: ts) {
                if points[element.labels] == nil { order.append(element.labels) }
                points[element.labels, default: []].append(Point(t: ts, v: element.v))
            }
        }
        return order.map { Series(labels: $0, points: points[$0] ?? []) }
    }

    @Test func eachGroupAndStepIsComputedAsTheVectorOfEachStepComputesIt() throws {
        let series = Self.input()
        for op in SeriesMajorAggregation.operators.sorted(by: { $0.rawValue < $1.rawValue }) {
            for (grouping, without) in [([], false), (["job"], false), (["instance", "job"], false), (["n"], true), ([], true)] as [(Set<String>, Bool)] {
                var numbers: [GroupKey: Int] = [:]
                let keys = series.map { item -> Int in
                    numbers.number(!without && grouping.isEmpty ? .none : item.labels.signature(on: !without, grouping))
                }
                let aggregation = SeriesMajorAggregation(op: op, steps: Self.steps, start: Self.start, interval: Self.interval)
                let found = try aggregation.aggregate(series, keys: keys, check: {}) { labels in
                    Aggregation.groupedLabels(labels, grouping: grouping, without: without)
                }
                let expected = try Self.reference(op, series, keys: keys, grouping: grouping, without: without)
                let name = "\(op) \(without ? "without" : "by") \(grouping.sorted())"
                #expect(found?.map(\.labels) == expected.map(\.labels), "\(name): groups and their order")
                #expect(found?.map { $0.points.map(\.t) } == expected.map { $0.points.map(\.t) }, "\(name): steps")
                #expect(found?.map { $0.points.map(\.v.bitPattern) } == expected.map { $0.points.map(\.v.bitPattern) }, "\(name): values")
            }
        }
    }

    @Test func tooManyGroupsTimesStepsOrAPointOffTheStepsLeaveItToTheStepByStepPath() throws {
        let series = Self.input()
        let keys = Array(0..<series.count)
        let wide = SeriesMajorAggregation(op: .sum, steps: SeriesMajorAggregation.maxCells / 10, start: Self.start, interval: Self.interval)
        #expect(try wide.aggregate(series, keys: keys, check: {}) { $0 } == nil)
        let offGrid = SeriesMajorAggregation(op: .sum, steps: Self.steps, start: Self.start + 1, interval: Self.interval)
        #expect(try offGrid.aggregate(series, keys: keys, check: {}) { $0 } == nil)
    }
}
