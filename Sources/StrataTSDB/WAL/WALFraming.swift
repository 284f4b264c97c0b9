import CZlib

/// Framing of write-ahead-log records: `length` (u32 little-endian), `crc32` of the payload (u32
/// little-endian), then the payload. A record is valid only if it is complete and its CRC matches. Payloads
/// are never empty, so a zero header ends the records (a preallocated segment's unused space). `SegmentReader`
/// reads them back.
public enum WALFraming {
    /// Bytes before each payload.
    public static let headerSize = 8
    /// Largest payload accepted when reading (a larger length means a torn or corrupt header).
    public static let maxPayload = 64 << 20

    /// Appends the framed `payload` (not empty) to `output`.
    public static func frame(_ payload: [UInt8], into output: inout [UInt8]) {
        precondition(!payload.isEmpty, "a WAL record has at least its type byte")
        let length = UInt32(payload.count)
        let checksum = crc(payload[...])
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: length >> UInt32(shift))) }
        for shift in stride(from: 0, to: 32, by: 8) { output.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        output.append(contentsOf: payload)
    }

    /// CRC-32 (zlib's polynomial) of `bytes`.
    public static func crc(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            UInt32(crc32(0, buffer.baseAddress, uInt(buffer.count)))
        }
    }

    /// Whether every byte is zero (a preallocated segment's unused tail), eight bytes at a time.
    public static func isZero(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) != 0 { return false }
                offset += 8
            }
            while offset < raw.count {
                if raw[offset] != 0 { return false }
                offset += 1
            }
            return true
        }
    }

    @inline(__always)
    static func readU32(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
    }
}
