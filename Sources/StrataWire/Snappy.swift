import CSnappy

/// Snappy block format (not framed), as Prometheus remote write uses it, through libsnappy.
public enum Snappy {
    /// Why `decompress` refused a body.
    public enum Failure: Error, CustomStringConvertible {
        /// Not a snappy block (400; the message matches Prometheus 2.42's).
        case corrupt
        /// A valid body that would decode to more than `limit` bytes (413: the body is not corrupt).
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .corrupt: return "snappy: corrupt input"
            case .tooLarge(let limit): return "request body decodes to more than \(limit) bytes"
            }
        }
    }

    /// The most bytes one compressed byte can expand to: a 3-byte copy element emits at most 64 bytes, and
    /// nothing in the format does better. A length header claiming more than this times the body is a lie.
    public static let maxExpansion = 22

    /// Decompresses `input`, refusing bodies that would inflate beyond `limit` bytes, and — before anything
    /// is allocated — bodies whose length header claims more than the format can expand them to (a 14-byte
    /// body claiming 255 MiB used to make the server allocate 255 MiB first).
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        guard !input.isEmpty, let length = declaredLength(input), length / maxExpansion <= input.count else { throw .corrupt }
        guard length <= limit else { throw .tooLarge(limit: limit) }
        guard length > 0 else {
            // A valid empty stream is the single byte 0.
            guard input == [0] else { throw .corrupt }
            return []
        }
        var output = [UInt8](repeating: 0, count: length)
        var produced = length
        let status = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { compressed in
                output.withUnsafeMutableBufferPointer { destination in
                    destination.withMemoryRebound(to: CChar.self) {
                        snappy_uncompress(compressed.baseAddress, source.count, $0.baseAddress, &produced)
                    }
                }
            }
        }
        guard status == SNAPPY_OK, produced == length else { throw .corrupt }
        return output
    }

    /// The length the body's header declares it decodes to, nil when the header is unreadable (nothing is decoded).
    public static func declaredLength(_ input: [UInt8]) -> Int? {
        var length = 0
        let status = input.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, buffer.count, &length) }
        }
        return status == SNAPPY_OK ? length : nil
    }

    /// Compresses `input` (for tests and clients).
    public static func compress(_ input: [UInt8]) -> [UInt8] {
        var length = snappy_max_compressed_length(input.count)
        var output = [UInt8](repeating: 0, count: length)
        let status = input.withUnsafeBufferPointer { source in
            source.withMemoryRebound(to: CChar.self) { raw in
                output.withUnsafeMutableBufferPointer { destination in
                    destination.withMemoryRebound(to: CChar.self) { snappy_compress(raw.baseAddress, source.count, $0.baseAddress, &length) }
                }
            }
        }
        precondition(status == SNAPPY_OK, "snappy_compress failed with a sufficient buffer")
        return Array(output[0..<length])
    }
}
