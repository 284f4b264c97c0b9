import StrataCore

/// Decodes a chunk written by `ChunkAppender`; corrupt or truncated input throws, never traps.
public enum ChunkDecoder {
    /// Every sample of the chunk, in time order.
    public static func decode(_ bytes: [UInt8]) throws(ChunkError) -> [Sample] {
        try decode(bytes, offset: 0, length: bytes.count)
    }

    /// Every sample of the chunk stored in `bytes[offset..<offset + length]` (no copy of the chunk).
    public static func decode(_ bytes: [UInt8], offset: Int, length: Int) throws(ChunkError) -> [Sample] {
        guard length >= 4, offset >= 0, offset + length <= bytes.count else { throw .truncated }
        var samples: [Sample] = []
        let failure: ChunkError? = bytes.withUnsafeBytes { raw in
            do throws(ChunkError) {
                try append(UnsafeRawBufferPointer(rebasing: raw[offset..<offset + length]), into: &samples)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
        return samples
    }

    /// Appends the chunk's samples within `from...to` to `samples`, decoding no further than `to`: a query's
    /// window is read straight from a block's mapped file into the one array it returns.
    public static func append(_ chunk: UnsafeRawBufferPointer, from: Int64 = .min, to: Int64 = .max,
                              into samples: inout [Sample]) throws(ChunkError) {
        guard chunk.count >= 4 else { throw .truncated }
        guard let encoding = ChunkEncoding(rawValue: chunk[0]) else { throw .unknownEncoding(chunk[0]) }
        let exponent = Int(chunk[1])
        guard exponent < Decimal.powers.count else { throw .corrupt("decimal exponent \(exponent)") }
        let count = Int(chunk[2]) << 8 | Int(chunk[3])
        if samples.isEmpty { samples.reserveCapacity(count) }
        try BitReader.reading(UnsafeRawBufferPointer(rebasing: chunk[4...])) { (reader: inout BitReader) throws(ChunkError) in
            try decode(&reader, encoding: encoding, exponent: exponent, count: count, from: from, to: to, into: &samples)
        }
    }

    /// The samples of a chunk's body within `from...to` appended to `samples`: the first two samples, then one
    /// loop per value encoding, each reading a field from one 64-bit window and checking the length once per sample.
    static func decode(_ reader: inout BitReader, encoding: ChunkEncoding, exponent: Int, count: Int,
                               from: Int64, to: Int64, into samples: inout [Sample]) throws(ChunkError) {
        guard count > 0 else { return }
        if encoding == .packed {
            return try decodePacked(&reader, exponent: exponent, count: count, from: from, to: to, into: &samples)
        }
        var timestamp = Int64(bitPattern: reader.read(64))
        let first = reader.read(64)
        let divisor = Decimal.powers[exponent]
        var bits = first
        var mantissa = Int64(bitPattern: first)
        if reader.isPastEnd { throw .truncated }
        if timestamp > to { return }
        if timestamp >= from { samples.append(Sample(timestamp, encoding == .xor ? Double(bitPattern: bits) : Double(mantissa) / divisor)) }
        guard count > 1 else { return }
        var delta = secondDelta(&reader)
        timestamp &+= delta
        switch encoding {
        case .xor:
            var leading = 0
            var trailing = 0
            for index in 1..<count {
                if index > 1 { nextTimestamp(&reader, &delta, &timestamp) }
                try nextXOR(&reader, &bits, &leading, &trailing)
                if reader.isPastEnd { throw .truncated }
                if timestamp > to { return }
                if timestamp >= from { samples.append(Sample(timestamp, Double(bitPattern: bits))) }
            }
        case .decimal:
            var width = 0
            for index in 1..<count {
                if index > 1 { nextTimestamp(&reader, &delta, &timestamp) }
                try nextDecimal(&reader, &mantissa, &width)
                if reader.isPastEnd { throw .truncated }
                if timestamp > to { return }
                if timestamp >= from { samples.append(Sample(timestamp, Double(mantissa) / divisor)) }
            }
        case .packed:
            preconditionFailure("packed chunks are decoded by decodePacked")
        }
    }

    /// The second timestamp's delta from the first (`BitWriter.writeSecondDelta`): `0` + 14 bits, or `1` + 64.
    @inline(__always)
    static func secondDelta(_ reader: inout BitReader) -> Int64 {
        reader.read(1) == 1 ? Int64(bitPattern: reader.read(64)) : Int64(reader.read(14))
    }

    /// The third and later timestamps: a delta of deltas in Prometheus's buckets (`0`; `10`+14; `110`+17;
    /// `1110`+20; `1111`+64 bits), read from one window but for the 64-bit form.
    @inline(__always)
    static func nextTimestamp(_ reader: inout BitReader, _ delta: inout Int64, _ timestamp: inout Int64) {
        let window = reader.peek()
        switch min((~window).leadingZeroBitCount, 4) {
        case 0:
            reader.skip(1)
        case 1:
            delta &+= Int64(bitPattern: window &<< 2) &>> 50
            reader.skip(16)
        case 2:
            delta &+= Int64(bitPattern: window &<< 3) &>> 47
            reader.skip(20)
        case 3:
            delta &+= Int64(bitPattern: window &<< 4) &>> 44
            reader.skip(24)
        default:
            reader.skip(4)
            delta &+= Int64(bitPattern: reader.read(64))
        }
        timestamp &+= delta
    }

    /// The next XOR value: `0` the same; `10` meaningful bits in the previous window; `11`, 5 bits of leading
    /// zeros, 6 of meaningful bits (0 meaning 64), then the bits.
    @inline(__always)
    private static func nextXOR(_ reader: inout BitReader, _ bits: inout UInt64, _ leading: inout Int,
                                _ trailing: inout Int) throws(ChunkError) {
        let window = reader.peek()
        if window &>> 63 == 0 {
            reader.skip(1)
            return
        }
        if window &>> 62 & 1 == 1 {
            leading = Int(truncatingIfNeeded: window &>> 57 & 31)
            var significant = Int(truncatingIfNeeded: window &>> 51 & 63)
            if significant == 0 { significant = 64 }
            trailing = 64 - leading - significant
            guard trailing >= 0 else { throw .corrupt("xor window") }
            reader.skip(13)
        } else {
            reader.skip(2)
        }
        bits ^= reader.read(64 - leading - trailing) &<< UInt64(truncatingIfNeeded: trailing)
    }

    /// The next decimal mantissa: `0` the same; `10` a zig-zag delta of the previous width; `11`, a new width
    /// (6 bits, plus one), then the delta.
    @inline(__always)
    private static func nextDecimal(_ reader: inout BitReader, _ mantissa: inout Int64, _ width: inout Int) throws(ChunkError) {
        let window = reader.peek()
        if window &>> 63 == 0 {
            reader.skip(1)
            return
        }
        if window &>> 62 & 1 == 1 {
            width = Int(truncatingIfNeeded: window &>> 56 & 63) + 1
            reader.skip(8)
        } else {
            guard width > 0 else { throw .corrupt("decimal width") }
            reader.skip(2)
        }
        mantissa &+= unzigzag(reader.read(width))
    }
}
