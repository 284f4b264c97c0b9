/// Reads bits written by `BitWriter` from a copy of the stream as big-endian words followed by zero words. A read
/// does not check the length: the zero words after the stream hold more bits than one sample can take, so a decoder
/// checks `isPastEnd` once per sample (and throws `.truncated`) instead of once per field. A reader lives only
/// inside `BitReader.reading`, over words copied to the stack (the heap for large chunks): a query decodes one chunk
/// per series and block, and a check on every read was a third of decoding.
struct BitReader {
    /// Zero words after the stream's last word: a sample (at most 68 bits of timestamp and 77 of value) starting
    /// inside the stream reads no further.
    static let padding = 4

    private let words: UnsafePointer<UInt64>
    private let bitLength: Int
    /// Bits read so far.
    private(set) var position = 0

    private init(words: UnsafePointer<UInt64>, bitLength: Int) {
        self.words = words
        self.bitLength = bitLength
    }

    /// `body`'s result with a reader over `raw` (a block's mapped chunk file or an array's storage).
    static func reading<R>(_ raw: UnsafeRawBufferPointer,
                           _ body: (inout BitReader) throws(ChunkError) -> R) throws(ChunkError) -> R {
        let length = raw.count
        return try reading(wholeWords: length >> 3, bitLength: length * 8, { words in
            var index = 0
            while index + 8 <= length {
                words[index >> 3] = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                index += 8
            }
            var tail: UInt64 = 0
            while index < length {
                tail |= UInt64(raw[index]) << UInt64(56 - 8 * (index & 7))
                index += 1
            }
            return tail
        }, body)
    }

    /// `body`'s result with a reader over a `BitWriter`'s stream as it stands: its whole words and the `tailBits`
    /// bits of `tail` (right-aligned), read as `appendFinished` would give them (up to a whole byte) without making bytes.
    static func reading<R>(words stream: [UInt64], tail: UInt64, tailBits: Int,
                           _ body: (inout BitReader) throws(ChunkError) -> R) throws(ChunkError) -> R {
        try reading(wholeWords: stream.count, bitLength: stream.count * 64 + (tailBits + 7) / 8 * 8, { words in
            stream.withUnsafeBufferPointer { source in
                for index in source.indices { words[index] = source[index] }
            }
            return tailBits == 0 ? 0 : tail << UInt64(64 - tailBits)
        }, body)
    }

    /// `body`'s result with a reader over `wholeWords` words that `fill` writes, then the partial word it returns
    /// (left-aligned), then `padding` zero words.
    private static func reading<R>(wholeWords: Int, bitLength: Int, _ fill: (UnsafeMutableBufferPointer<UInt64>) -> UInt64,
                                   _ body: (inout BitReader) throws(ChunkError) -> R) throws(ChunkError) -> R {
        let result: Result<R, ChunkError> = withUnsafeTemporaryAllocation(of: UInt64.self, capacity: wholeWords + 1 + padding) { words in
            words[wholeWords] = fill(words)
            for zero in wholeWords + 1 ..< words.count { words[zero] = 0 }
            var reader = BitReader(words: UnsafePointer(words.baseAddress!), bitLength: bitLength)
            do throws(ChunkError) {
                return .success(try body(&reader))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Whether more bits were read than the stream holds (zero bits from the padding).
    var isPastEnd: Bool { position > bitLength }

    /// The next 64 bits without consuming them: two word loads, no branch.
    @inline(__always)
    func peek() -> UInt64 {
        let index = position &>> 6
        let offset = UInt64(truncatingIfNeeded: position & 63)
        return words[index] &<< offset | (words[index &+ 1] &>> 1) &>> (63 &- offset)
    }

    /// Consumes `count` bits.
    @inline(__always)
    mutating func skip(_ count: Int) { position &+= count }

    /// Reads `count` bits (1...64) as an unsigned value.
    @inline(__always)
    mutating func read(_ count: Int) -> UInt64 {
        let value = peek() &>> UInt64(truncatingIfNeeded: 64 &- count)
        position &+= count
        return value
    }
}
