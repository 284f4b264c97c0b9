/// Why a protocol payload could not be decoded. Every case names what was wrong and where.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input ended inside a value.
    case truncated(offset: Int, expecting: String)
    /// A varint ran past 10 bytes.
    case varintOverflow(offset: Int)
    /// A string was not valid UTF-8 or was longer than allowed.
    case invalidString(offset: Int, reason: String)
    /// A field held a value outside its domain.
    case invalidValue(field: String, reason: String)
    /// Bytes remained after the last field.
    case trailingBytes(count: Int)

    public var description: String {
        switch self {
        case let .truncated(offset, expecting): return "payload truncated at byte \(offset) while reading \(expecting)"
        case let .varintOverflow(offset): return "varint at byte \(offset) is longer than 10 bytes"
        case let .invalidString(offset, reason): return "string at byte \(offset) is invalid: \(reason)"
        case let .invalidValue(field, reason): return "field \(field) is invalid: \(reason)"
        case let .trailingBytes(count): return "\(count) unexpected bytes after the end of the payload"
        }
    }
}

/// Reads the primitives `BinaryWriter` writes, never trapping on bad input.
public struct BinaryReader {
    private let bytes: [UInt8]
    /// The offset of the next unread byte.
    public private(set) var offset: Int = 0
    /// Longest string accepted, in bytes.
    public var maxStringLength = Labels.maxBytes

    /// Creates a reader over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// Reads one byte.
    public mutating func readByte(_ what: String) throws(DecodeError) -> UInt8 {
        guard offset < bytes.count else { throw .truncated(offset: offset, expecting: what) }
        defer { offset += 1 }
        return bytes[offset]
    }

    /// Reads an unsigned LEB128 varint.
    public mutating func readUVarint(_ what: String) throws(DecodeError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            guard offset < bytes.count else { throw .truncated(offset: offset, expecting: what) }
            let byte = bytes[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw .varintOverflow(offset: start) }
            result |= UInt64(byte & 0x7f) << shift
            if byte < 0x80 { return result }
            shift += 7
            if shift > 63 { throw .varintOverflow(offset: start) }
        }
    }

    /// Reads a zig-zag signed varint.
    public mutating func readVarint(_ what: String) throws(DecodeError) -> Int64 {
        let raw = try readUVarint(what)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Reads a count and checks it cannot exceed what the remaining input could hold
    /// (each element takes at least `minimumElementSize` bytes), so a forged count cannot make us allocate.
    public mutating func readCount(_ what: String, minimumElementSize: Int = 1) throws(DecodeError) -> Int {
        let raw = try readUVarint(what)
        guard raw <= UInt64(remaining / max(1, minimumElementSize)) else {
            throw .invalidValue(field: what, reason: "count \(raw) exceeds the \(remaining) bytes left")
        }
        return Int(raw)
    }

    /// Reads a length-prefixed UTF-8 string.
    public mutating func readString(_ what: String) throws(DecodeError) -> String {
        let start = offset
        let length = try readUVarint(what)
        guard length <= UInt64(maxStringLength) else {
            throw .invalidString(offset: start, reason: "\(what) is \(length) bytes, more than \(maxStringLength)")
        }
        guard length <= UInt64(remaining) else { throw .truncated(offset: offset, expecting: what) }
        let slice = bytes[offset..<(offset + Int(length))]
        offset += Int(length)
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw .invalidString(offset: start, reason: "\(what) is not valid UTF-8")
        }
        return text
    }

    /// Reads a little-endian Float64.
    public mutating func readDouble(_ what: String) throws(DecodeError) -> Double {
        guard remaining >= 8 else { throw .truncated(offset: offset, expecting: what) }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    /// Reads `count` raw bytes.
    public mutating func readRaw(_ count: Int, _ what: String) throws(DecodeError) -> ArraySlice<UInt8> {
        guard remaining >= count else { throw .truncated(offset: offset, expecting: what) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }
}
