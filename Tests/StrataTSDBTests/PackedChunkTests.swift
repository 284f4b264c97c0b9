import Foundation
import Testing
import StrataCore
@testable import StrataTSDB

/// Seeded series of the shapes a block holds: counters with random increments at a resolution, random-walk gauges,
/// constants, regular and jittered timestamps, and (sometimes) a value no decimal exponent holds.
private func randomSeries(_ generator: inout SplitMix64) -> [Sample] {
    let count = Int.random(in: 1...ChunkAppender.maxBlockSamples, using: &generator)
    let step = [Int64(10_000), 15_000, 1, 1 << 40][Int.random(in: 0..<4, using: &generator)]
    let jitter = Bool.random(using: &generator) ? Int64(0) : 500
    let resolution = [1.0, 0.01, 0.001, 512, 4096][Int.random(in: 0..<5, using: &generator)]
    var time = Int64.random(in: -1 << 50 ... 1 << 50, using: &generator)
    var value = (Double.random(in: 0...1e6, using: &generator) / resolution).rounded() * resolution
    let kind = Int.random(in: 0..<4, using: &generator)
    var samples: [Sample] = []
    for _ in 0..<count {
        time += step + (jitter == 0 ? 0 : Int64.random(in: 1...jitter, using: &generator))
        switch kind {
        case 0: value += (Double.random(in: 0...200, using: &generator)).rounded() * resolution
        case 1: value = ((value + Double.random(in: -50...50, using: &generator) * resolution) / resolution).rounded() * resolution
        case 2: break
        default: value = Double.random(in: -1...1, using: &generator)
        }
        samples.append(Sample(time, value))
    }
    return samples
}

@Test func packedChunksDecodeToTheirSamplesWholeAndWithinWindows() throws {
    var generator = SplitMix64(state: 18)
    var packedCount = 0
    for _ in 0..<400 {
        let samples = randomSeries(&generator)
        guard let bytes = PackedChunk.encode(samples[...]) else {
            // Refused only when no decimal exponent holds every value exactly.
            let exponents = samples.map { Decimal.scaled($0.value)?.exponent }
            let common: Int? = exponents.contains(nil) ? nil : exponents.compactMap { $0 }.max()
            #expect(common == nil || samples.contains { Decimal.mantissa($0.value, exponent: common!) == nil })
            continue
        }
        packedCount += 1
        #expect(bytes[0] == ChunkEncoding.packed.rawValue)
        #expect(try ChunkDecoder.decode(bytes) == samples)
        let from = samples[Int.random(in: samples.indices, using: &generator)].timestampMs
        let to = samples[Int.random(in: samples.indices, using: &generator)].timestampMs
        var window: [Sample] = []
        try bytes.withUnsafeBytes { try ChunkDecoder.append($0, from: from, to: to, into: &window) }
        #expect(window == samples.filter { $0.timestampMs >= from && $0.timestampMs <= to })
    }
    #expect(packedCount > 200, "most random decimal series are packed (\(packedCount) of 400)")
}

@Test func valuesWithoutACommonDecimalExponentAreNotPacked() {
    #expect(PackedChunk.encode([Sample(1, 1), Sample(2, .nan)][...]) == nil)
    #expect(PackedChunk.encode([Sample(1, 1), Sample(2, -0.0)][...]) == nil)
    #expect(PackedChunk.encode([Sample(1, .pi)][...]) == nil)
    // 1e15 and 0.5 have exponents 0 and 1, but 1e15 × 10 is past 2^53: no exponent holds both.
    #expect(PackedChunk.encode([Sample(1, 1e15), Sample(2, 0.5)][...]) == nil)
    // Each value at the finest exponent any of them needs.
    let mixed = [Sample(1, 3), Sample(2, 0.25), Sample(5, 1e6)]
    #expect(PackedChunk.encode(mixed[...]).flatMap { try? ChunkDecoder.decode($0) } == mixed)
}

@Test func aBlocksCountersAndConstantsAreStoredSmallerPacked() throws {
    var generator = SplitMix64(state: 7)
    var counter: [Sample] = []
    var value = 123_456.78
    for index in 0..<720 {
        value += (Double.random(in: 0...80, using: &generator)).rounded() / 100
        counter.append(Sample(1_700_000_000_000 + Int64(index) * 10_000, (value * 100).rounded() / 100))
    }
    var streamed = ChunkAppender(firstValue: counter[0].value, capacity: ChunkAppender.maxBlockSamples)
    for sample in counter {
        let accepted = streamed.append(sample.timestampMs, sample.value)
        #expect(accepted)
    }
    let packed = try #require(PackedChunk.encode(counter[...]))
    // Per sample: the streaming encoding's 1 timestamp bit, 2 control bits and a sign bit are gone.
    #expect(packed.count * 10 < streamed.bytes.count * 8, "packed \(packed.count) bytes, streamed \(streamed.bytes.count)")
    let constant = (0..<720).map { Sample(Int64($0) * 60_000, 42) }
    // Equal deltas and a regular step: the header fields only.
    #expect(try #require(PackedChunk.encode(constant[...])).count < 40)
}

@Test func truncatedOrFlippedPackedChunksThrowOrDecodeButNeverTrap() {
    var generator = SplitMix64(state: 3)
    var irregular: [Sample] = []
    for index in 0..<300 { irregular.append(Sample(Int64(index) * 15_000 + Int64(index % 7), Double(index % 50) * 1.25)) }
    let regular = (0..<300).map { Sample(Int64($0) * 10_000, Double($0 * $0)) }
    for samples in [irregular, regular] {
        guard let good = PackedChunk.encode(samples[...]) else {
            Issue.record("decimal samples are packed")
            continue
        }
        for length in 0..<good.count {
            #expect(throws: ChunkError.self) { try ChunkDecoder.decode(Array(good[0..<length])) }
        }
        for _ in 0..<2_000 {
            var bytes = good
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 1..<bytes.count, using: &generator)] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            }
            let decoded = try? ChunkDecoder.decode(bytes)
            #expect(decoded.map { $0.count <= Int(bytes[2]) << 8 | Int(bytes[3]) } ?? true)
        }
    }
}

@Test func packedTimestampsAreExactAtTheEdgesOfTheirRange() throws {
    let cases: [[Int64]] = [
        [Int64.min, 0, Int64.max],                  // deltas past Int64: the irregular form, wrapped exactly
        [Int64.min, Int64.min + 1],                 // two samples, a regular step of 1
        [Int64.max - 20_000, Int64.max - 10_000, Int64.max],
        [0, 8_191, 8_192 + 8_191, 100_000],         // second delta in 14 bits, then larger ones
        [0, 8_192, 9_000],                          // second delta past 14 bits
        [-5, -4],
        [5, 5, 3],                                  // not increasing (never written so): irregular, not a step of 0
    ]
    for timestamps in cases {
        let samples = timestamps.enumerated().map { Sample($0.element, Double($0.offset) * 0.5) }
        let bytes = try #require(PackedChunk.encode(samples[...]))
        #expect(try ChunkDecoder.decode(bytes) == samples)
    }
    let one = [Sample(42, 7)]
    #expect(try ChunkDecoder.decode(try #require(PackedChunk.encode(one[...]))) == one)
    let most = (0..<Int(UInt16.max)).map { Sample(Int64($0), Double($0 % 3)) }
    #expect(try ChunkDecoder.decode(try #require(PackedChunk.encode(most[...]))) == most)
    #expect(PackedChunk.encode((0..<Int(UInt16.max) + 1).map { Sample(Int64($0), 1) }[...]) == nil)
}

@Test func aBlockHoldsEverySampleAcrossChunkCutsAndRefusedValues() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-packed-\(UInt64.random(in: 0...UInt64.max))").path
    defer { try? FileManager.default.removeItem(atPath: directory) }
    // 2,500 samples: cut at 1,024 (full) and at the values no decimal exponent holds, which stay streamed (xor).
    var samples: [Sample] = []
    for index in 0..<2_500 {
        // A counter at 0.01 resolution (packed is smaller for it; a step-like series can stay streamed, whose zero
        // deltas cost a bit each).
        let counter = Double(1_001 + index * 37 + (index * index) % 11) / 100
        let value = index == 700 || index == 701 || index == 1_900 ? Double.pi * Double(index) : counter
        samples.append(Sample(1_700_000_000_000 + Int64(index) * 10_000, value))
    }
    var writer = try BlockWriter(directory: directory, resolution: .raw)
    try writer.add(id: StableID(rawValue: 9), labels: ["__name__": "m"], columns: [samples])
    _ = try writer.finish()
    let block = try Block(directory: directory)
    // Decimal runs packed; the chunks that start at a value with no decimal form stay xor until full.
    let file = try Data(contentsOf: URL(fileURLWithPath: directory + "/chunks"))
    let encodings = block.chunkRefs(at: 0).map { file[$0.offset] }
    #expect(encodings == [ChunkEncoding.packed, .xor, .packed, .xor].map(\.rawValue))
    #expect(try block.samples(series: StableID(rawValue: 9), from: .min, to: .max) == samples)
    let window = try block.samples(series: StableID(rawValue: 9), from: samples[650].timestampMs, to: samples[1_950].timestampMs)
    #expect(window == Array(samples[650...1_950]))
}
