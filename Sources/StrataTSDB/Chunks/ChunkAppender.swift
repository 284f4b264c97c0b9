import StrataCore

/// Builds one chunk sample by sample (the head's open chunk).
///
/// Layout: encoding (1 byte), decimal exponent (1 byte), sample count (2 bytes, big-endian), then a bit
/// stream. Timestamps: the first as 64 bits, the second as a delta in 1+14/1+64 bits, then
/// delta-of-deltas in Prometheus' buckets (`0`; `10`+14; `110`+17; `1110`+20; `1111`+64 bits).
/// Values: see `ChunkEncoding`. Invariant: timestamps strictly increase within a chunk.
public struct ChunkAppender: Sendable {
    /// Most samples in one chunk of the head (where chunks are cut while samples arrive).
    public static let maxSamples = 240
    /// Most samples in one chunk of a persisted block: fewer chunk headers and index entries per series (a 2 h
    /// block of 10 s samples is one chunk of 720, not three of 240), at the price of decoding up to this many
    /// samples for a query that needs a few.
    public static let maxBlockSamples = 1_024

    // Stored narrow, the bytes after the writer's first: every series of the head keeps its open chunk's appender,
    // so its state is 56 bytes (it was 128 with an `Int` per field: 6 MB of 100k series).
    private var stream = BitWriter(capacity: 128)
    private let storedCapacity: UInt16
    private let storedExponent: Int8
    private var storedCount: UInt16 = 0
    // xor state (`leading` 0xff: none yet)
    private var leading: UInt8 = 0xff
    private var trailing: UInt8 = 0
    // decimal state: bits of the last delta's width
    private var width: UInt8 = 0
    /// The value encoding chosen from the first sample.
    public let encoding: ChunkEncoding

    /// Most samples this chunk takes.
    public var capacity: Int { Int(storedCapacity) }
    /// Decimal exponent (decimal encoding only).
    public var exponent: Int { Int(storedExponent) }
    /// Samples appended.
    public var count: Int { Int(storedCount) }
    /// First timestamp (0 while empty): the stream's first word, so the appender does not store it twice.
    public var firstTimestamp: Int64 { count == 0 ? 0 : Int64(bitPattern: stream.firstWord) }
    /// Last timestamp.
    public private(set) var lastTimestamp: Int64 = 0
    private var lastDelta: Int64 = 0
    /// The last value: its bits (xor) or its mantissa's bit pattern (decimal).
    private var lastValue: UInt64 = 0

    /// Starts a chunk whose encoding suits `firstValue`: decimal when it has at most 9 fractional digits,
    /// XOR otherwise. `minimumExponent` lets a caller that just cut a chunk keep a finer exponent.
    public init(firstValue: Double, minimumExponent: Int = 0, capacity: Int = ChunkAppender.maxSamples) {
        storedCapacity = UInt16(max(1, min(capacity, Int(UInt16.max))))
        if let scaled = Decimal.scaled(firstValue, minimumExponent: minimumExponent) {
            encoding = .decimal
            storedExponent = Int8(scaled.exponent)
        } else {
            encoding = .xor
            storedExponent = 0
        }
    }

    /// Whether the chunk is full.
    public var isFull: Bool { count >= capacity }

    /// Appends a sample. Returns false, changing nothing, when the chunk is full, the timestamp does not
    /// increase, or the value cannot be represented in this chunk's encoding; the caller then cuts a new chunk.
    public mutating func append(_ timestamp: Int64, _ value: Double) -> Bool {
        guard count < capacity, count == 0 || timestamp > lastTimestamp else { return false }
        var mantissa: Int64 = 0
        var delta: Int64 = 0
        if encoding == .decimal {
            guard let m = Decimal.mantissa(value, exponent: exponent),
                  !(value == 0 && value.sign == .minus) else { return false }
            mantissa = m
            if count > 0 {
                let (d, overflow) = m.subtractingReportingOverflow(Int64(bitPattern: lastValue))
                guard !overflow else { return false }
                delta = d
            }
        }
        appendTimestamp(timestamp)
        switch encoding {
        case .xor: appendXOR(value.bitPattern)
        // An appender never makes a packed chunk (`PackedChunk` does, from whole samples).
        case .decimal, .packed: appendDecimal(mantissa, delta: delta)
        }
        storedCount += 1
        return true
    }

    private mutating func appendTimestamp(_ timestamp: Int64) {
        switch count {
        case 0:
            // The stream's first word (`firstTimestamp`).
            stream.write(bits: UInt64(bitPattern: timestamp), count: 64)
        case 1:
            let delta = timestamp &- lastTimestamp
            stream.writeSecondDelta(delta)
            lastDelta = delta
        default:
            let delta = timestamp &- lastTimestamp
            stream.writeDeltaOfDelta(delta &- lastDelta)
            lastDelta = delta
        }
        lastTimestamp = timestamp
    }

    private mutating func appendXOR(_ bits: UInt64) {
        defer { lastValue = bits }
        guard count > 0 else {
            stream.write(bits: bits, count: 64)
            return
        }
        let xor = bits ^ lastValue
        guard xor != 0 else {
            stream.write(bit: false)
            return
        }
        stream.write(bit: true)
        var newLeading = xor.leadingZeroBitCount
        let newTrailing = xor.trailingZeroBitCount
        if newLeading >= 32 { newLeading = 31 }
        if leading != 0xff && newLeading >= Int(leading) && newTrailing >= Int(trailing) {
            stream.write(bit: false)
            stream.write(bits: xor >> UInt64(trailing), count: 64 - Int(leading) - Int(trailing))
            return
        }
        leading = UInt8(newLeading)
        trailing = UInt8(newTrailing)
        stream.write(bit: true)
        stream.write(bits: UInt64(newLeading), count: 5)
        let significant = 64 - newLeading - newTrailing
        stream.write(bits: UInt64(significant & 63), count: 6)
        stream.write(bits: xor >> UInt64(newTrailing), count: significant)
    }

    private mutating func appendDecimal(_ mantissa: Int64, delta: Int64) {
        defer { lastValue = UInt64(bitPattern: mantissa) }
        guard count > 0 else {
            stream.write(bits: UInt64(bitPattern: mantissa), count: 64)
            return
        }
        let encoded = zigzag(delta)
        if encoded == 0 {
            stream.write(bit: false)
            return
        }
        let needed = bitWidth(encoded)
        if needed <= Int(width) && needed + 6 > Int(width) {
            stream.write(bits: 0b10, count: 2)
            stream.write(bits: encoded, count: Int(width))
        } else {
            width = UInt8(needed)
            stream.write(bits: 0b11, count: 2)
            stream.write(bits: UInt64(needed - 1), count: 6)
            stream.write(bits: encoded, count: needed)
        }
    }

    /// Appends a sample to `open`; when there is no open chunk or it refuses the sample, the refused chunk
    /// (if it holds samples) is passed to `close` and a new chunk suited to the value is started.
    /// Timestamps must increase across calls (a fresh chunk accepts any first sample).
    public static func append(_ timestamp: Int64, _ value: Double, to open: inout ChunkAppender?, capacity: Int = maxSamples,
                              close: (ChunkAppender) -> Void) {
        if open?.append(timestamp, value) == true { return }
        if let full = open, full.count > 0 { close(full) }
        var fresh = ChunkAppender(firstValue: value, capacity: capacity)
        _ = fresh.append(timestamp, value)
        open = fresh
    }

    /// The chunk's bytes as they stand: header and the bit stream padded to a byte.
    public var bytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount)
        bytes.append(contentsOf: [encoding.rawValue, UInt8(exponent), UInt8(count >> 8), UInt8(count & 0xff)])
        stream.appendFinished(to: &bytes)
        return bytes
    }

    /// The newest sample, exactly as decoding the chunk gives it back (nil when the chunk is empty).
    var lastSample: Sample? {
        guard count > 0 else { return nil }
        switch encoding {
        case .xor: return Sample(lastTimestamp, Double(bitPattern: lastValue))
        case .decimal, .packed: return Sample(lastTimestamp, Decimal.decode(Int64(bitPattern: lastValue), exponent: exponent))
        }
    }

    /// Appends the chunk's samples within `from...to` to `samples`, read from its bit stream as it stands: the
    /// same samples as decoding `bytes`, without making them (a query reads every open chunk of the head).
    func appendSamples(from: Int64, to: Int64, into samples: inout [Sample]) throws(ChunkError) {
        if samples.isEmpty { samples.reserveCapacity(count) }
        try BitReader.reading(words: stream.words, tail: stream.accumulator, tailBits: stream.accumulated) { (reader: inout BitReader) throws(ChunkError) in
            try ChunkDecoder.decode(&reader, encoding: encoding, exponent: exponent, count: count, from: from, to: to, into: &samples)
        }
    }

    /// Bytes the chunk occupies now.
    public var byteCount: Int { 4 + (stream.bitCount + 7) / 8 }
}
