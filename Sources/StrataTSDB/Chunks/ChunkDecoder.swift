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

    /// The samples of a chunk's body within `from...to` appended to `samples`.
    private static func decode(_ reader: inout BitReader, encoding: ChunkEncoding, exponent: Int, count: Int,
                               from: Int64, to: Int64, into samples: inout [Sample]) throws(ChunkError) {

        var timestamp: Int64 = 0
        var delta: Int64 = 0
        var bits: UInt64 = 0
        var leading = 0
        var trailing = 0
        var mantissa: Int64 = 0
        var width = 0
        for index in 0..<count {
            switch index {
            case 0:
                timestamp = Int64(bitPattern: try reader.readBits(64))
            case 1:
                delta = try reader.readBit() ? Int64(bitPattern: try reader.readBits(64)) : Int64(try reader.readBits(14))
                timestamp &+= delta
            default:
                let prefix = try reader.readOnes(limit: 4)
                let dod: Int64
                switch prefix {
                case 0: dod = 0
                case 1: dod = signExtend(try reader.readBits(14), bits: 14)
                case 2: dod = signExtend(try reader.readBits(17), bits: 17)
                case 3: dod = signExtend(try reader.readBits(20), bits: 20)
                default: dod = Int64(bitPattern: try reader.readBits(64))
                }
                delta &+= dod
                timestamp &+= delta
            }

            let value: Double
            switch encoding {
            case .xor:
                if index == 0 {
                    bits = try reader.readBits(64)
                } else if try reader.readBit() {
                    if try reader.readBit() {
                        leading = Int(try reader.readBits(5))
                        var significant = Int(try reader.readBits(6))
                        if significant == 0 { significant = 64 }
                        trailing = 64 - leading - significant
                        guard trailing >= 0 else { throw .corrupt("xor window") }
                    }
                    let significant = 64 - leading - trailing
                    bits ^= try reader.readBits(significant) << UInt64(trailing)
                }
                value = Double(bitPattern: bits)
            case .decimal:
                if index == 0 {
                    mantissa = Int64(bitPattern: try reader.readBits(64))
                } else if try reader.readBit() {
                    if try reader.readBit() { width = Int(try reader.readBits(6)) + 1 }
                    guard width > 0 else { throw .corrupt("decimal width") }
                    mantissa &+= unzigzag(try reader.readBits(width))
                }
                value = Decimal.decode(mantissa, exponent: exponent)
            }
            if timestamp > to { return }
            if timestamp >= from { samples.append(Sample(timestamp, value)) }
        }
    }

    @inline(__always)
    static func signExtend(_ value: UInt64, bits: Int) -> Int64 {
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}
