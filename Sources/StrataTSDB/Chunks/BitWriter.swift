/// Appends bits, most significant first, to a byte array.
///
/// Invariant: `pending` holds `pendingCount` (< 8) bits not yet in `bytes`, left-aligned in the low byte's
/// high bits, so `bytes + pending` is always the stream written so far.
public struct BitWriter: Sendable {
    /// Whole bytes written.
    public private(set) var bytes: [UInt8] = []
    private var pending: UInt8 = 0
    private var pendingCount: Int = 0

    /// Creates an empty writer.
    public init(capacity: Int = 64) { bytes.reserveCapacity(capacity) }

    /// Number of bits written.
    public var bitCount: Int { bytes.count * 8 + pendingCount }

    /// Appends one bit.
    @inlinable
    public mutating func write(bit: Bool) {
        write(bits: bit ? 1 : 0, count: 1)
    }

    /// Appends the low `count` bits of `value` (0...64), most significant first.
    public mutating func write(bits value: UInt64, count: Int) {
        precondition(count >= 0 && count <= 64, "bit count out of range")
        var remaining = count
        while remaining > 0 {
            let room = 8 - pendingCount
            let take = min(room, remaining)
            let shift = remaining - take
            let chunk = UInt8(truncatingIfNeeded: (value >> UInt64(shift)) & ((1 << UInt64(take)) - 1))
            pending |= chunk << UInt8(room - take)
            pendingCount += take
            remaining -= take
            if pendingCount == 8 {
                bytes.append(pending)
                pending = 0
                pendingCount = 0
            }
        }
    }

    /// The stream so far, padded with zero bits to a whole byte.
    public var finished: [UInt8] {
        pendingCount == 0 ? bytes : bytes + [pending]
    }
}

/// Reads bits written by `BitWriter`; reading past the end throws instead of trapping.
public struct BitReader: Sendable {
    private let bytes: [UInt8]
    private var position = 0

    /// Creates a reader over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bits not read yet.
    public var remaining: Int { bytes.count * 8 - position }

    /// Reads one bit.
    public mutating func readBit() throws(ChunkError) -> Bool {
        try readBits(1) == 1
    }

    /// Reads `count` bits (0...64) as an unsigned value.
    public mutating func readBits(_ count: Int) throws(ChunkError) -> UInt64 {
        guard count <= remaining else { throw .truncated }
        var value: UInt64 = 0
        var left = count
        while left > 0 {
            let byte = bytes[position >> 3]
            let offset = position & 7
            let available = 8 - offset
            let take = min(available, left)
            let bits = (UInt64(byte) >> UInt64(available - take)) & ((1 << UInt64(take)) - 1)
            value = take == 64 ? bits : (value << UInt64(take)) | bits
            position += take
            left -= take
        }
        return value
    }
}

/// Why a chunk could not be decoded.
public enum ChunkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data ended inside a sample.
    case truncated
    /// The chunk names an encoding this build does not know.
    case unknownEncoding(UInt8)
    /// A field is outside its domain.
    case corrupt(String)

    public var description: String {
        switch self {
        case .truncated: return "chunk data ends inside a sample"
        case .unknownEncoding(let code): return "unknown chunk encoding \(code)"
        case .corrupt(let reason): return "corrupt chunk: \(reason)"
        }
    }
}
