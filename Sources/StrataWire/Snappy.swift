import CSnappy

/// Snappy block format (not framed), as Prometheus remote write uses it, through libsnappy.
public enum Snappy {
    /// Why a body could not be decompressed; the message matches Prometheus 2.42's.
    public struct CorruptInput: Error, CustomStringConvertible {
        public var description: String { "snappy: corrupt input" }
    }

    /// A valid body that would decode to more than the limit (an answer of 413, not 400: the body is not corrupt).
    public struct TooLarge: Error, CustomStringConvertible {
        /// The most decoded bytes accepted.
        public var limit: Int
        public var description: String { "request body decodes to more than \(limit) bytes" }
    }

    /// Why `decompress` refused a body.
    public enum Failure: Error, CustomStringConvertible {
        case corrupt(CorruptInput)
        case tooLarge(TooLarge)

        public var description: String {
            switch self {
            case .corrupt(let error): return error.description
            case .tooLarge(let error): return error.description
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
        guard !input.isEmpty else { throw .corrupt(CorruptInput()) }
        var length = 0
        let lengthStatus = input.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { snappy_uncompressed_length($0.baseAddress, buffer.count, &length) }
        }
        guard lengthStatus == SNAPPY_OK, length / maxExpansion <= input.count else { throw .corrupt(CorruptInput()) }
        guard length <= limit else { throw .tooLarge(TooLarge(limit: limit)) }
        guard length > 0 else {
            // A valid empty stream is the single byte 0.
            guard input == [0] else { throw .corrupt(CorruptInput()) }
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
        guard status == SNAPPY_OK, produced == length else { throw .corrupt(CorruptInput()) }
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
