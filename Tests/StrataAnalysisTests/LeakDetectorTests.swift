import Foundation
import StrataCore
import Testing
@testable import StrataAnalysis

/// Leak detection on generated series with a known truth: a leak with noise, a leak across restarts, a warm-up
/// plateau, a flat noisy series, a slow decline; and attribution to the counter that drives the leak.
@Suite struct LeakDetectorTests {
    static let minute: Int64 = 60_000

    /// Gaussian-ish noise (sum of uniforms), seeded.
    static func noise(_ random: inout SplitMix64, _ scale: Double) -> Double {
        (0..<4).reduce(0.0) { total, _ in total + Double.random(in: -1...1, using: &random) } / 2 * scale
    }

    /// `hours` of one point a minute from `value(minute)`, plus noise.
    static func series(hours: Int, seed: UInt64, scale: Double, _ value: (Int) -> Double) -> [TimePoint] {
        var random = SplitMix64(state: seed)
        return (0..<(hours * 60)).map { minute in TimePoint(Int64(minute) * Self.minute, value(minute) + noise(&random, scale)) }
    }

    @Test func aSteadyLeakUnderNoiseIsFoundWithItsSlope() throws {
        // 2 GB heap growing 20 MB an hour, noise ±30 MB.
        let points = Self.series(hours: 24, seed: 1, scale: 30e6) { 2e9 + 20e6 * Double($0) / 60 }
        let finding = try LeakDetector.assess(points)
        #expect(finding.isLeak)
        #expect(abs(finding.slopePerHour - 20e6) / 20e6 < 0.1, "slope \(finding.slopePerHour) within 10 % of 20 MB/h")
    }

    @Test func aLeakCutByRestartsIsStillALeak() throws {
        // Restarts every 8 h bring the heap back to 1 GB; it grows 100 MB/h in between.
        let points = Self.series(hours: 24, seed: 2, scale: 20e6) { 1e9 + 100e6 * Double($0 % 480) / 60 }
        let finding = try LeakDetector.assess(points)
        #expect(finding.segments.count == 3, "restarts seen as falls")
        #expect(finding.isLeak)
        let given = try LeakDetector.assess(points, restarts: [480 * Self.minute, 960 * Self.minute])
        #expect(given.segments.count == 3 && given.isLeak)
    }

    @Test func aWarmUpPlateauAndAFlatNoisySeriesAreNotLeaks() throws {
        // A cache filling in the first 2 h, then flat.
        let plateau = Self.series(hours: 24, seed: 3, scale: 10e6) { 1e9 + 800e6 * (1 - exp(-Double($0) / 40)) }
        let warm = try LeakDetector.assess(plateau)
        #expect(!warm.isLeak)
        #expect(warm.segments.first?.verdict == .plateau)
        let flat = try LeakDetector.assess(Self.series(hours: 24, seed: 4, scale: 50e6) { _ in 3e9 })
        #expect(!flat.isLeak && flat.segments.first?.verdict == .noGrowth)
        let falling = try LeakDetector.assess(Self.series(hours: 24, seed: 5, scale: 5e6) { 3e9 - 1e6 * Double($0) / 60 })
        #expect(!falling.isLeak)
    }

    @Test func tooShortAHistoryIsSaidNotGuessed() {
        let points = (0..<10).map { TimePoint(Int64($0) * Self.minute, Double($0)) }
        #expect(throws: InsufficientData.self) { try LeakDetector.assess(points) }
        #expect(throws: InsufficientData.self) { try LeakDetector.assess([]) }
    }

    @Test func theLeakIsAttributedToTheCounterWhoseIncrementsItFollows() throws {
        // Three webapps with independent request rates; only /portal's requests leak 120 KB each.
        var random = SplitMix64(state: 9)
        var counts = ["/portal": 0.0, "/admin": 0.0, "/api": 0.0]
        var counters: [String: [TimePoint]] = [:]
        var memory: [TimePoint] = []
        var heap = 1.5e9
        for minute in 0..<(12 * 60) {
            let t = Int64(minute) * Self.minute
            for name in counts.keys.sorted() {
                let rate = Double.random(in: 200...2_000, using: &random)
                counts[name]! += rate
                if name == "/portal" { heap += rate * 120e3 }
                counters[name, default: []].append(TimePoint(t, counts[name]!))
            }
            memory.append(TimePoint(t, heap + Self.noise(&random, 5e6)))
        }
        let ranked = try LeakAttribution.rank(memory: memory, counters: counters)
        #expect(ranked.first?.name == "/portal")
        #expect((ranked.first?.correlation ?? 0) > 0.9 && ranked.dropFirst().allSatisfy { $0.correlation < 0.3 },
                "\(ranked.map { ($0.name, $0.correlation) })")
        #expect(abs((ranked.first?.perThousand ?? 0) - 120e6) / 120e6 < 0.1, "120 MB per 1,000 requests")
    }
}
