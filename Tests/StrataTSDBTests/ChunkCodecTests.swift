import Testing
import StrataCore
@testable import StrataTSDB

/// Appends samples, cutting a new chunk whenever the open one refuses, and decodes them all back.
func roundTrip(_ samples: [Sample]) throws -> (decoded: [Sample], chunks: Int, bytes: Int) {
    var chunks: [[UInt8]] = []
    var open: ChunkAppender?
    for sample in samples {
        ChunkAppender.append(sample.timestampMs, sample.value, to: &open) { chunks.append($0.bytes) }
        #expect(open?.lastTimestamp == sample.timestampMs, "the open or a fresh chunk accepts every sample")
    }
    if let last = open { chunks.append(last.bytes) }
    var decoded: [Sample] = []
    for chunk in chunks { decoded += try ChunkDecoder.decode(chunk) }
    return (decoded, chunks.count, chunks.reduce(0) { $0 + $1.count })
}

/// Float64 bit pattern classes that must survive exactly.
let specialValues: [Double] = [
    0, -0.0, 1, -1, .infinity, -.infinity, .nan, -.nan, Double(bitPattern: 0x7ff8_0000_dead_beef),
    Double(bitPattern: 0x7ff0_0000_0000_0001), .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
    .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .pi, 0.1, 0.2, 0.30000000000000004,
    1e-300, 123456789.123, 9007199254740991, 4.5e15, 1e22,
]

@Test func everyBitPatternClassRoundTripsExactly() throws {
    var samples: [Sample] = []
    var time: Int64 = 1_700_000_000_000
    for first in specialValues {
        for second in specialValues {
            samples.append(Sample(time, first))
            samples.append(Sample(time + 7, second))
            time += 10_000
        }
    }
    let result = try roundTrip(samples)
    #expect(result.decoded == samples)
}

@Test func randomBitPatternsAndTimestampsRoundTrip() throws {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<50 {
        var time = Int64.random(in: -1 << 50 ... 1 << 50, using: &generator)
        var samples: [Sample] = []
        for _ in 0..<Int.random(in: 1...600, using: &generator) {
            let gap: Int64
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: gap = 10_000
            case 1: gap = Int64.random(in: 1...20, using: &generator)
            case 2: gap = Int64.random(in: 1...1 << 40, using: &generator)
            default: gap = 10_000 + Int64.random(in: -500...500, using: &generator)
            }
            time += gap
            let value: Double
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: value = Double(bitPattern: generator.next())
            case 1: value = Double(Int.random(in: -1000...1000, using: &generator)) / 100
            case 2: value = specialValues.randomElement(using: &generator)!
            default: value = Double.random(in: -1e6...1e6, using: &generator)
            }
            samples.append(Sample(time, value))
        }
        #expect(try roundTrip(samples).decoded == samples)
    }
}

@Test func decimalsAreDetectedAndScaled() {
    #expect(Decimal.scaled(12.34)?.exponent == 2)
    #expect(Decimal.scaled(12.34)?.mantissa == 1234)
    #expect(Decimal.scaled(1e12)?.exponent == 0)
    #expect(Decimal.scaled(0.1)?.exponent == 1)
    #expect(Decimal.scaled(-0.0) == nil)
    #expect(Decimal.scaled(.nan) == nil)
    #expect(Decimal.scaled(.pi) == nil)
    #expect(Decimal.scaled(1e300) == nil)
    #expect(ChunkAppender(firstValue: 42).encoding == .decimal)
    #expect(ChunkAppender(firstValue: .pi).encoding == .xor)
}

@Test func chunkRefusesWhatItCannotHoldAndStaysIntact() throws {
    var chunk = ChunkAppender(firstValue: 1.5)
    let accepted = [chunk.append(1000, 1.5), chunk.append(1000, 2), chunk.append(2000, .pi), chunk.append(2000, 1.25),
                    chunk.append(2000, 2.5)]
    // A repeated timestamp, pi (no short decimal form) and 1.25 (finer than the chunk's exponent) are refused.
    #expect(accepted == [true, false, false, false, true])
    #expect(try ChunkDecoder.decode(chunk.bytes) == [Sample(1000, 1.5), Sample(2000, 2.5)])
    for _ in 0..<ChunkAppender.maxSamples { _ = chunk.append(chunk.lastTimestamp + 1, 3) }
    #expect(chunk.isFull)
    let afterFull = chunk.append(chunk.lastTimestamp + 1, 3)
    #expect(!afterFull)
}

@Test func corruptChunksThrow() {
    var chunk = ChunkAppender(firstValue: 1)
    for index in 0..<100 { _ = chunk.append(Int64(index) * 10_000, Double(index)) }
    let bytes = chunk.bytes
    for length in 0..<bytes.count - 1 {
        #expect(throws: ChunkError.self) { try ChunkDecoder.decode(Array(bytes[0..<length])) }
    }
    #expect(throws: ChunkError.unknownEncoding(9)) { try ChunkDecoder.decode([9, 0, 0, 1, 0]) }
}

@Test func garbageAndFlippedBitsThrowOrDecodeButNeverTrap() {
    var chunk = ChunkAppender(firstValue: 1.25)
    for index in 0..<200 { _ = chunk.append(Int64(index) * 15_000 + Int64(index % 3), Double(index) * 1.25) }
    let good = chunk.bytes
    var state: UInt64 = 7
    func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
    for round in 0..<3_000 {
        var bytes: [UInt8]
        if round % 2 == 0 {
            bytes = good
            for _ in 0..<(1 + Int(next() % 4)) { bytes[4 + Int(next()) % (bytes.count - 4)] ^= UInt8(1 << (next() % 8)) }
        } else {
            bytes = (0..<(4 + Int(next() % 300))).map { _ in UInt8(truncatingIfNeeded: next()) }
            bytes[0] = UInt8(next() % 2)
        }
        let decoded = try? ChunkDecoder.decode(bytes)
        #expect(decoded.map { $0.count <= Int(bytes[2]) << 8 | Int(bytes[3]) } ?? true)
    }
}

@Test func regularCountersCostAboutOneBitPerTimestamp() throws {
    var samples: [Sample] = []
    var value = 1000.0
    for index in 0..<120 {
        value += 0.25
        samples.append(Sample(1_700_000_000_000 + Int64(index) * 10_000, value))
    }
    let result = try roundTrip(samples)
    #expect(result.decoded == samples)
    #expect(result.bytes < 120 * 2, "constant step decimal counter: under 2 bytes per sample (was \(result.bytes))")
}

/// An open chunk read from its bit stream as it stands gives, after every append, the samples its bytes decode to,
/// whole and within windows, and its last sample is the last one decoded, bit for bit: for both encodings, a
/// staleness marker, and whether the stream ends on a word boundary or not.
@Test func anOpenChunkReadsAsItsBytesDecode() throws {
    var generator = SplitMix64(state: 5)
    for kind in 0..<4 {
        var open = ChunkAppender(firstValue: kind == 0 ? 1.5 : 0.123456789012345)
        var time: Int64 = 1_000_000
        var value = kind == 0 ? 1.5 : 0.123456789012345
        #expect(open.lastSample == nil)
        for _ in 0..<ChunkAppender.maxSamples {
            time += 10_000 + Int64(Int.random(in: -5...5, using: &generator))
            value += kind == 2 ? 0 : Double(Int.random(in: -20...20, using: &generator)) / 2
            let appended = kind == 3 && open.count % 7 == 3 ? Double(bitPattern: Sample.staleNaNBits) : value
            guard open.append(time, appended) else { break }
            let decoded = try ChunkDecoder.decode(open.bytes)
            #expect(open.lastSample?.timestampMs == decoded.last?.timestampMs)
            #expect(open.lastSample?.value.bitPattern == decoded.last?.value.bitPattern, "kind \(kind), \(open.count) samples")
            for (from, to) in [(Int64.min, Int64.max), (time - 30_000, time - 10_000), (0, 1_010_000)] {
                var fromStream: [Sample] = []
                try open.appendSamples(from: from, to: to, into: &fromStream)
                var fromBytes: [Sample] = []
                try open.bytes.withUnsafeBytes { try ChunkDecoder.append($0, from: from, to: to, into: &fromBytes) }
                #expect(fromStream.map(\.timestampMs) == fromBytes.map(\.timestampMs), "kind \(kind), \(open.count) samples")
                #expect(fromStream.map(\.value.bitPattern) == fromBytes.map(\.value.bitPattern))
            }
        }
        #expect(open.count > 100)
    }
}

/// Every head series keeps an open chunk's appender in its record: its state stays within 64 bytes (with the
/// optional's tag), so 100k series hold 6.4 MB of it rather than the 12.8 MB of one `Int` per field.
@Test func anOpenChunksStateTakesAtMostSixtyFourBytes() {
    #expect(MemoryLayout<ChunkAppender>.size <= 64)
    #expect(MemoryLayout<ChunkAppender?>.size <= 64)
}
