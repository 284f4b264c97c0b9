import CZlib

/// zlib compression for protocol payloads, bounded on the way in.
public enum Zlib {
    /// Why a zlib stream could not be inflated.
    public enum Failure: Error, Sendable, CustomStringConvertible, Equatable {
        /// The stream is not valid zlib data.
        case corrupt(String)
        /// The stream inflates to more than the allowed size.
        case tooLarge(limit: Int)

        public var description: String {
            switch self {
            case .corrupt(let reason): return "zlib stream is corrupt (\(reason))"
            case .tooLarge(let limit): return "zlib stream inflates to more than \(limit) bytes"
            }
        }
    }

    /// Compresses `input` at the default level.
    public static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var destinationLength = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(destinationLength))
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                compress2(destination.baseAddress, &destinationLength, source.baseAddress, uLong(input.count), level)
            }
        }
        // compress2 only fails for lack of memory or a wrong bound, both programming errors here.
        precondition(status == Z_OK, "compress2 failed with \(status)")
        output.removeSubrange(Int(destinationLength)...)
        return output
    }

    /// Compresses `input` as one gzip member (HTTP's `Content-Encoding: gzip`).
    public static func gzip(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 writes a gzip header and trailer; only a lack of memory can fail here.
        precondition(deflateInit2_(&stream, level, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK,
                     "deflateInit2 failed")
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        var input = input
        let produced: Int = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = destination.baseAddress
                stream.avail_out = uInt(destination.count)
                precondition(deflate(&stream, Z_FINISH) == Z_STREAM_END, "deflate with a sufficient bound did not finish")
                return destination.count - Int(stream.avail_out)
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Inflates `input` (a zlib stream, or a gzip member when `gzip` is set: HTTP's `Content-Encoding: gzip`),
    /// refusing to produce more than `limit` bytes.
    public static func decompress(_ input: [UInt8], limit: Int, gzip: Bool = false) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 makes zlib read the gzip header and trailer instead of zlib's.
        guard inflateInit2_(&stream, gzip ? 31 : 15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw .corrupt("inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(4096, input.count * 4)))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        var status: Int32 = Z_OK
        input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            while status == Z_OK {
                chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    status = inflate(&stream, Z_NO_FLUSH)
                    let produced = buffer.count - Int(stream.avail_out)
                    output.append(contentsOf: buffer[0..<produced])
                }
                if output.count > limit { status = Z_BUF_ERROR; break }
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 { status = Z_DATA_ERROR }
            }
        }
        if output.count > limit { throw .tooLarge(limit: limit) }
        guard status == Z_STREAM_END else {
            throw .corrupt(status == Z_DATA_ERROR ? "invalid or truncated data" : "inflate status \(status)")
        }
        guard stream.avail_in == 0 else { throw .corrupt("trailing bytes after the stream") }
        return output
    }
}
