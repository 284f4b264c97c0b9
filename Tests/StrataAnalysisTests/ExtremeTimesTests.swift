import StrataCore
import Testing
@testable import StrataAnalysis

/// Timestamps come from users (imports, remote write): analyses over times at the ends of Int64 answer or say why,
/// and never trap on overflow.
@Suite struct ExtremeTimesTests {
    /// 400 points every 2 h ending at `end`, rising 1 a point.
    static func rising(endingAt end: Int64) -> [TimePoint] {
        (0..<400).map { TimePoint(end - Int64(399 - $0) * 7_200_000, Double($0)) }
    }

    @Test func forecastsNearTheEndOfTimeDoNotTrap() throws {
        var options = CapacityForecast.Options()
        options.replicates = 5
        let late = try CapacityForecast.timeToLimit(Self.rising(endingAt: Int64.max - 1), limit: 1_000, options: options)
        #expect(late.crossingMs == nil, "the crossing lies beyond the last representable time")
        let early = try CapacityForecast.timeToLimit(Self.rising(endingAt: Int64.min + 400 * 7_200_000), limit: 500, options: options)
        #expect(early.crossingMs != nil)
        let spread = [TimePoint(Int64.min, 0)] + Self.rising(endingAt: Int64.max)
        _ = try? CapacityForecast.timeToLimit(spread, limit: 1_000, options: options)
    }

    @Test func leakDetectionAndAttributionAcrossTheWholeRangeDoNotTrap() throws {
        let spread = [TimePoint(Int64.min, 0)] + Self.rising(endingAt: Int64.max)
        _ = try LeakDetector.assess(spread)
        _ = try LeakDetector.assess(Self.rising(endingAt: Int64.max), restarts: [Int64.min, Int64.max])
        let counter = [TimePoint(Int64.min, 0), TimePoint(Int64.max, 1e9)]
        _ = try? LeakAttribution.rank(memory: spread, counters: ["requests": counter])
        #expect(SeasonalProfile(spread, periodMs: Int64.max, phases: 24) == nil, "a period too long to see twice")
    }
}
