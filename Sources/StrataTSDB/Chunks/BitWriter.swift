/// Appends bits, most significant first, to a byte array.
///
/// Invariant: `pending` holds `pendingCount` (< 8) bits not yet in `bytes`, left-aligned in the low byte's
/// high bits, so `bytes + pending` is always the stream written so far.
public struct BitWriter: Sendable {
    /// Whole 64-bit words written, bits most significant first.
    private(set) var words: [UInt64] = []
    /// Bits not yet in `words`, right-aligned; `accumulated` of them (0...63).
    private(set) var accumulator: UInt64 = 0
    private var storedAccumulated: UInt8 = 0
    /// Bits in `accumulator` (0...63); stored in a byte so a writer nested in a struct leaves room after it.
    private(set) var accumulated: Int {
        get { Int(storedAccumulated) }
        set { storedAccumulated = UInt8(truncatingIfNeeded: newValue) }
    }

    /// Creates an empty writer.
    public init(capacity: Int = 64) { words.reserveCapacity((capacity + 7) / 8) }

    /// The first 64 bits written (0 until 64 have been).
    var firstWord: UInt64 { words.first ?? 0 }

    /// Number of bits written.
    public var bitCount: Int { words.count * 64 + accumulated }

    /// Appends one bit.
    @inlinable
    public mutating func write(bit: Bool) {
        write(bits: bit ? 1 : 0, count: 1)
    }

    /// Appends the low `count` bits of `value` (0...64), most significant first. Bits gather in a 64-bit
    /// accumulator and reach the array a word at a time (a byte at a time cost a uniqueness check per byte).
    public mutating func write(bits value: UInt64, count: Int) {
        precondition(count >= 0 && count <= 64, "bit count out of range")
        guard count > 0 else { return }
        let masked = count == 64 ? value : value & ((1 << UInt64(count)) - 1)
        let free = 64 - accumulated
        if count < free {
            accumulator = accumulator << UInt64(count) | masked
            accumulated += count
            return
        }
        let overflow = count - free
        let word = (accumulated == 0 ? 0 : accumulator << UInt64(free)) | (masked >> UInt64(overflow))
        // Grown 8 words (64 bytes) at a time rather than doubled: every series keeps an open chunk in memory, and
        // doubling left a third of those buffers unused on average. With the appender's 128-byte start this keeps
        // 4 MB less than 16-word steps from 256 bytes at 100k series of 120 samples. Smaller still (a 64-byte start)
        // kept 6 MB less but made `sum by` over 10k head series 40-70 % slower in two runs of the PromQL benchmark;
        // this one showed no difference there (docs/performance.md, issue 18's fifth session).
        if words.count == words.capacity { words.reserveCapacity(words.count + 8) }
        words.append(word)
        accumulator = overflow == 0 ? 0 : masked & ((1 << UInt64(overflow)) - 1)
        accumulated = overflow
    }

    /// The stream so far, padded with zero bits to a whole byte, appended to `result`.
    public func appendFinished(to result: inout [UInt8]) {
        for word in words { withUnsafeBytes(of: word.bigEndian) { result.append(contentsOf: $0) } }
        guard accumulated > 0 else { return }
        let aligned = accumulator << UInt64(64 - accumulated)
        for index in 0..<((accumulated + 7) / 8) { result.append(UInt8(truncatingIfNeeded: aligned >> UInt64(56 - 8 * index))) }
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
