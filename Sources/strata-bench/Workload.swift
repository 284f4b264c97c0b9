import Foundation
import StrataCore
import StrataTSDB

/// Node-exporter-like values: counters with 0.01 or whole-byte resolution, random-walk gauges.
struct Workload {
    let series: Int
    let samplesPerSeries: Int
    let intervalMs: Int64 = 10_000
    let start: Int64 = 1_700_000_000_000

    func values(_ index: Int, generator: inout some RandomNumberGenerator) -> [Double] {
        var value = Double(Int.random(in: 0...1_000_000, using: &generator))
        var out: [Double] = []
        out.reserveCapacity(samplesPerSeries)
        let kind = index % 4
        for _ in 0..<samplesPerSeries {
            switch kind {
            case 0: value += Double(Int.random(in: 0...1800, using: &generator)) / 100         // cpu seconds
            case 1: value += Double(Int.random(in: 0...4_000_000, using: &generator))          // bytes
            case 2: value = max(0, value + Double(Int.random(in: -20...20, using: &generator)) / 100) // load
            default: value += Double(Int.random(in: 0...1560, using: &generator) * 512)        // disk bytes
            }
            out.append((value * 100).rounded() / 100)
        }
        return out
    }
}

extension Workload {
    /// The workload as remote write sends it: time-major batches of `batch` samples over series `bench/0…`.
    func timeMajorBatches(batch: Int) -> [[SeriesSamples]] {
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<series).map { StableID(parts: ["bench", String($0)]) }
        let values = (0..<series).map { self.values($0, generator: &generator) }
        var batches: [[SeriesSamples]] = []
        var current: [SeriesSamples] = []
        for step in 0..<samplesPerSeries {
            for index in 0..<series {
                current.append(SeriesSamples(seriesID: ids[index], samples: [Sample(start + Int64(step) * intervalMs, values[index][step])]))
                if current.count == batch {
                    batches.append(current)
                    current = []
                }
            }
        }
        if !current.isEmpty { batches.append(current) }
        return batches
    }
}
