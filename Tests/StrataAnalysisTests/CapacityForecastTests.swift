import Foundation
import StrataCore
import Testing
@testable import StrataAnalysis

/// Forecasts on generated series whose crossing time is known: linear, exponential, seasonal with a trend and
/// saturating growth; the median error of the time remaining, and how often the bootstrap band holds the truth.
@Suite struct CapacityForecastTests {
    static let day: Int64 = 86_400_000
    static let step: Int64 = 2 * 3_600_000

    /// 60 days of points every 2 h from `value(days)` with noise of `scale`, and the true crossing of `limit`
    /// (found on a fine grid from the noiseless curve).
    static func scenario(_ value: @escaping (Double) -> Double, scale: Double, limit: Double, seed: UInt64) -> (points: [TimePoint], truth: Int64) {
        var random = SplitMix64(state: seed)
        let points = stride(from: Int64(0), to: 60 * day, by: Int(step)).map { t in
            TimePoint(t, value(Double(t) / Double(day)) + (0..<4).reduce(0.0) { s, _ in s + Double.random(in: -1...1, using: &random) } / 2 * scale)
        }
        var t = 60 * day
        while value(Double(t) / Double(day)) < limit { t += 600_000 }
        return (points, t)
    }

    static let families: [(name: String, value: @Sendable (Double) -> Double, scale: Double, limit: Double)] = [
        ("linear", { 40 + 0.5 * $0 }, 1.0, 90),
        ("exponential", { 10 * exp(0.02 * $0) }, 0.3, 60),
        ("seasonal", { 30 + 0.4 * $0 + 10 * sin(2 * Double.pi * $0) }, 2.0, 80),
        ("saturating", { 100 - 70 * exp(-$0 / 60) }, 1.0, 90),
    ]

    @Test func crossingTimesAreFoundWithinTwentyPercentOfTheTimeRemaining() throws {
        var options = CapacityForecast.Options()
        options.phases = 12
        options.replicates = 1
        for family in Self.families {
            var errors: [Double] = []
            for seed in 1...10 {
                let (points, truth) = Self.scenario(family.value, scale: family.scale, limit: family.limit, seed: UInt64(seed) * 7919)
                let forecast = try CapacityForecast.timeToLimit(points, limit: family.limit, options: options)
                let last = points.last!.t
                let predicted = Double((forecast.crossingMs ?? last + options.horizonMs) - last)
                errors.append(abs(predicted - Double(truth - last)) / Double(truth - last))
            }
            let median = errors.sorted()[errors.count / 2]
            #expect(median < 0.2, "\(family.name): median error of the time remaining \(median)")
        }
    }

    @Test func aSeasonIsSeenOnlyWithTwoWholePeriods() throws {
        let (points, _) = Self.scenario({ 30 + 0.4 * $0 + 10 * sin(2 * Double.pi * $0) }, scale: 1, limit: 80, seed: 3)
        var options = CapacityForecast.Options()
        options.phases = 12
        options.replicates = 10
        #expect(try CapacityForecast.timeToLimit(points, limit: 80, options: options).seasonal)
        let short = Array(points.prefix(20))
        options.minPoints = 10
        #expect(!(try CapacityForecast.timeToLimit(short, limit: 80, options: options).seasonal))
    }

    @Test func tooLittleHistoryIsSaidNotGuessed() {
        let few = (0..<10).map { TimePoint(Int64($0) * Self.step, Double($0)) }
        #expect(throws: InsufficientData.self) { try CapacityForecast.timeToLimit(few, limit: 100) }
        let hour = (0..<60).map { TimePoint(Int64($0) * 60_000, Double($0)) }
        #expect(throws: InsufficientData.self) { try CapacityForecast.timeToLimit(hour, limit: 100) }
        let flat = (0..<100).map { TimePoint(Int64($0) * Self.step, 5) }
        #expect(throws: InsufficientData.self) { try CapacityForecast.timeToLimit(flat, limit: .nan) }
    }

    @Test func aFlatSeriesNeverCrossesWithinTheHorizon() throws {
        var random = SplitMix64(state: 5)
        let flat = (0..<400).map { TimePoint(Int64($0) * Self.step, 50 + Double.random(in: -1...1, using: &random)) }
        var options = CapacityForecast.Options()
        options.replicates = 20
        let forecast = try CapacityForecast.timeToLimit(flat, limit: 90, options: options)
        #expect(forecast.crossingMs == nil)
    }
}

extension CapacityForecastTests {
    /// How many of the generated series (four families, `seeds` seeds each) have their true crossing inside the band,
    /// for a band meant to hold `coverage` of outcomes.
    static func bandCoverage(_ coverage: Double, replicates: Int, seeds: Int) throws -> (held: Int, total: Int, misses: [String]) {
        var options = CapacityForecast.Options()
        options.phases = 12
        options.replicates = replicates
        options.coverage = coverage
        var held = 0, total = 0, misses: [String] = []
        for family in families {
            for seed in 1...seeds {
                let (points, truth) = scenario(family.value, scale: family.scale, limit: family.limit, seed: UInt64(seed) * 7919)
                let forecast = try CapacityForecast.timeToLimit(points, limit: family.limit, options: options)
                total += 1
                let early = forecast.earliestMs ?? .min, late = forecast.latestMs ?? .max
                if early <= truth && truth <= late { held += 1 } else {
                    let last = points.last!.t
                    misses.append("\(family.name)#\(seed) \(forecast.model): truth \(Double(truth - last) / Double(day)) d, band \(Double(early - last) / Double(day))…\(Double(late - last) / Double(day)) d")
                }
            }
        }
        return (held, total, misses)
    }

    @Test func theBandHoldsTheTruthAtAboutItsStatedRate() throws {
        let (held, total, misses) = try Self.bandCoverage(0.8, replicates: 100, seeds: 20)
        let share = Double(held) / Double(total)
        #expect(share >= 0.7 && share <= 0.95, "80 % band held \(held) of \(total): \(misses)")
    }
}
