import StrataCore
import StrataTSDB

/// Chunk decoding speed: 2,000 chunks of 720 samples (10 s apart, a few milliseconds of jitter) of three value
/// kinds — random-walk gauges at a resolution of 0.01 (decimal encoding), counters of whole numbers and random
/// floats (XOR) — each decoded whole and into a one-minute window, best of several rounds. One JSON line per kind.
func measureDecoding() throws -> [String] {
    var generator = SplitMix64(state: 11)
    let kinds: [(name: String, next: (inout SplitMix64, Double) -> Double)] = [
        ("gauge_0.01", { rng, last in max(0, ((last + (Double.random(in: 0..<1, using: &rng) - 0.5) * 4) * 100).rounded() / 100) }),
        ("counter", { rng, last in last + (Double.random(in: 0..<1, using: &rng) * 50).rounded() }),
        ("float", { rng, last in last + Double.random(in: 0..<1, using: &rng) - 0.4 }),
    ]
    var lines: [String] = []
    for kind in kinds {
        let chunks = (0..<2_000).map { _ in
            var value = kind.next(&generator, 100), time: Int64 = 1_700_000_000_000
            var chunk = ChunkAppender(firstValue: value, capacity: ChunkAppender.maxBlockSamples)
            for _ in 0..<720 {
                _ = chunk.append(time, value)
                value = kind.next(&generator, value)
                time += 10_000 + Int64.random(in: -3...2, using: &generator)
            }
            return chunk.bytes
        }
        var best = (whole: Double.infinity, window: Double.infinity)
        var checksum = 0.0
        for _ in 0..<7 {
            var began = ContinuousClock.now
            for chunk in chunks {
                var samples: [Sample] = []
                try chunk.withUnsafeBytes { try ChunkDecoder.append($0, into: &samples) }
                checksum += samples[samples.count - 1].value
            }
            best.whole = min(best.whole, seconds(since: began))
            began = ContinuousClock.now
            for chunk in chunks {
                var samples: [Sample] = []
                try chunk.withUnsafeBytes { try ChunkDecoder.append($0, from: 1_700_003_600_000, to: 1_700_003_660_000, into: &samples) }
                checksum += samples.first?.value ?? 0
            }
            best.window = min(best.window, seconds(since: began))
        }
        let samples = Double(chunks.count * 720)
        let bytes = chunks.reduce(0) { $0 + $1.count }
        lines.append(#"{"case":"decode","kind":"\#(kind.name)","bytes_per_sample":\#(fixed(Double(bytes) / samples)),"#
            + #""ns_per_sample_whole":\#(fixed(best.whole * 1e9 / samples)),"ns_per_sample_to_window":\#(fixed(best.window * 1e9 / samples)),"#
            + #""checksum":\#(checksum.isFinite ? 1 : 0)}"#)
    }
    return lines
}
