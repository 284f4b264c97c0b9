/// Appends protocol primitives to a byte buffer: LEB128 varints, zig-zag signed varints,
/// length-prefixed UTF-8 strings and little-endian Float64.
public struct BinaryWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer, reserving `capacity` bytes.
    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Appends raw bytes.
    public mutating func write(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// Appends one byte.
    public mutating func write(byte: UInt8) { bytes.append(byte) }

    /// Appends an unsigned LEB128 varint.
    public mutating func write(uvarint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// Appends a signed value as a zig-zag varint.
    public mutating func write(varint value: Int64) {
        write(uvarint: UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// Appends a length-prefixed UTF-8 string.
    public mutating func write(string: String) {
        let utf8 = string.utf8
        write(uvarint: UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Appends a Float64 as 8 little-endian bytes.
    public mutating func write(double: Double) {
        var bits = double.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }
}
