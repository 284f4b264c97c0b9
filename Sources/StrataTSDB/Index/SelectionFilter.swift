import StrataCore

/// One matcher of a selection as its candidates are checked: by a bit per series number, or by the candidate's
/// labels when the matcher's postings are too many to set bits for.
enum SelectionFilter: Sendable {
    /// Every series passes (a matcher accepting "" on a label no series has).
    case everything
    /// No series passes.
    case nothing
    /// Series whose bit is set pass.
    case inside(SeriesBitset)
    /// Series whose bit is set fail (they have a value the matcher rejects).
    case outside(SeriesBitset)
    /// The matcher, checked on the labels.
    case matcher(LabelMatcher)

    /// Postings a matcher may have per candidate and still become a bitset: setting a bit costs about a
    /// nanosecond, checking a candidate's labels tens.
    static let postingsPerCandidate = 16
}

/// A set of series numbers below a bound, one bit each.
struct SeriesBitset: Sendable {
    private var words: [UInt64]

    /// An empty set for numbers below `count`.
    init(count: Int) { words = [UInt64](repeating: 0, count: (count + 63) / 64) }

    /// Every number below `count`.
    init(filled count: Int) {
        words = [UInt64](repeating: .max, count: (count + 63) / 64)
        if count % 64 != 0 { words[words.count - 1] = (1 << UInt64(count % 64)) - 1 }
    }

    /// Adds `number` (below the bound).
    @inline(__always) mutating func insert(_ number: UInt32) {
        let index = Int(number)
        words[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Whether `number` is in the set (false beyond the bound).
    func contains(_ number: Int) -> Bool { words.withUnsafeBufferPointer { Self.contains(number, in: $0) } }

    /// Keeps only the numbers `other` holds too.
    mutating func formIntersection(_ other: SeriesBitset) {
        for index in words.indices { words[index] &= index < other.words.count ? other.words[index] : 0 }
    }

    /// Removes the numbers `other` holds.
    mutating func subtract(_ other: SeriesBitset) {
        for index in words.indices where index < other.words.count { words[index] &= ~other.words[index] }
    }

    /// `body` with the set's words, for tests in a loop that must not retain the storage each time.
    func withWords<R>(_ body: (UnsafeBufferPointer<UInt64>) -> R) -> R { words.withUnsafeBufferPointer(body) }

    /// Whether `number` is in the set whose words are `words`.
    @inline(__always) static func contains(_ number: Int, in words: UnsafeBufferPointer<UInt64>) -> Bool {
        let word = number >> 6
        return word < words.count && words[word] & (1 << UInt64(number & 63)) != 0
    }
}
