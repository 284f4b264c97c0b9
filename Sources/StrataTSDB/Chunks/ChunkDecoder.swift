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
        guard let encoding = ChunkEncoding(rawValue: bytes[offset]) else { throw .unknownEncoding(bytes[offset]) }
        let exponent = Int(bytes[offset + 1])
        guard exponent < Decimal.powers.count else { throw .corrupt("decimal exponent \(exponent)") }
        let count = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        var reader = BitReader(bytes, offset: offset + 4, length: length - 4)
        var samples: [Sample] = []
        samples.reserveCapacity(count)

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
            samples.append(Sample(timestamp, value))
        }
        return samples
    }

    @inline(__always)
    static func signExtend(_ value: UInt64, bits: Int) -> Int64 {
        let shift = UInt64(64 - bits)
        return Int64(bitPattern: value << shift) >> Int64(shift)
    }
}
