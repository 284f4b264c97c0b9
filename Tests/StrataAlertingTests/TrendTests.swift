import Testing
@testable import StrataAlerting

@Suite struct TrendTests {
    /// A leak growing with the square of time plus noise, sampled every minute for 6 h: the projection of when it
    /// reaches the limit lands within 20 % of the true time, and the parabola is chosen over the line.
    @Test func aLeakThatSpeedsUpIsProjectedWithin20PercentOfItsTrueCrossing() throws {
        var random = SeededNoise(seed: 42)
        let condition = TrendCondition(metric: "heap", op: .greater, threshold: 4_000, horizonMs: 3 * 86_400_000, windowMs: 6 * 3_600_000)
        var state = TrendState()
        var projection: TrendState.Projection?
        let start: Int64 = 1_800_000_000_000
        func truth(_ hours: Double) -> Double { 1_000 + 20 * hours + 4 * hours * hours }
        for minute in 0...360 {
            let hours = Double(minute) / 60
            projection = state.add(timestampMs: start + Int64(minute) * 60_000, value: truth(hours) + random.next() * 10, condition: condition)
        }
        // truth(h) = 4000 ⇔ 4h² + 20h − 3000 = 0 ⇔ h = (−20 + √(400 + 48000)) / 8 ≈ 25.0 h after the start.
        let trueHours = (-20 + (400 + 48_000.0).squareRoot()) / 8
        let projected = try #require(projection?.crossingMs)
        let projectedHours = Double(projected - start) / 3_600_000
        let remainingTrue = trueHours - 6, remainingProjected = projectedHours - 6
        #expect(abs(remainingProjected - remainingTrue) <= 0.2 * remainingTrue, "projected \(projectedHours) h, true \(trueHours) h")
        #expect(projection?.model == .quadratic)
    }

    @Test func aFlatSeriesAndTooFewSamplesProjectNoCrossing() {
        let condition = TrendCondition(metric: "m", op: .greater, threshold: 100, horizonMs: 86_400_000, windowMs: 3_600_000, minSamples: 5)
        var state = TrendState()
        var last: TrendState.Projection?
        for minute in 0..<4 { last = state.add(timestampMs: Int64(minute) * 60_000, value: 50, condition: condition) }
        #expect(last == nil)
        for minute in 4..<60 { last = state.add(timestampMs: Int64(minute) * 60_000, value: 50 + (minute % 2 == 0 ? 0.5 : -0.5), condition: condition) }
        #expect(last != nil && last?.crossingMs == nil)
    }

    @Test func aLinearFallToALowerLimitIsProjected() throws {
        let condition = TrendCondition(metric: "disk_free", op: .less, threshold: 10, horizonMs: 86_400_000, windowMs: 7_200_000)
        var state = TrendState()
        var projection: TrendState.Projection?
        for minute in 0...60 { projection = state.add(timestampMs: Int64(minute) * 60_000, value: 100 - Double(minute), condition: condition) }
        let crossing = try #require(projection?.crossingMs)
        #expect(abs(Double(crossing) / 60_000 - 90) < 1)
    }

    @Test func extremeValuesAndTimesDoNotTrap() {
        let condition = TrendCondition(metric: "m", op: .greater, threshold: .greatestFiniteMagnitude, horizonMs: .max, windowMs: .max, minSamples: 3)
        var state = TrendState()
        for (index, value) in [1e308, -1e308, .infinity, .nan, 0, 1e-308, 5].enumerated() {
            _ = state.add(timestampMs: Int64.max - 10 + Int64(index), value: value, condition: condition)
        }
        _ = state.add(timestampMs: .min, value: 1, condition: condition)
    }

    /// Deterministic noise in [-1, 1).
    struct SeededNoise {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> Double {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Double(state >> 11) / Double(1 << 53) * 2 - 1
        }
    }
}
