/// A set of Unicode scalar values, stored as sorted, disjoint, non-adjacent closed ranges.
///
/// Every character-matching construct (`a`, `.`, `[a-z]`, `\d`, `(?i)k`) compiles to one of these, so the
/// matcher needs a single "scalar in set" test. Membership is a bit test for ASCII and a binary search
/// otherwise: O(log ranges), independent of the text.
struct CharacterClass: Sendable, Equatable {
    /// The largest Unicode scalar value.
    static let maximumScalar: UInt32 = 0x10FFFF

    /// Sorted, disjoint, non-adjacent ranges (the invariant every initializer establishes).
    private(set) var ranges: [ClosedRange<UInt32>]
    /// Membership of scalars 0–63 and 64–127, for the common ASCII case.
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    /// The set of the scalars in `ranges`, which may be unsorted and overlapping.
    init(_ ranges: [ClosedRange<UInt32>] = []) {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        merged.reserveCapacity(sorted.count)
        for range in sorted {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                if range.upperBound > last.upperBound {
                    merged[merged.count - 1] = last.lowerBound...range.upperBound
                }
            } else {
                merged.append(range)
            }
        }
        self.ranges = merged
        for range in merged where range.lowerBound < 128 {
            for scalar in range.lowerBound...min(range.upperBound, 127) {
                if scalar < 64 { asciiLow |= 1 << UInt64(scalar) } else { asciiHigh |= 1 << UInt64(scalar - 64) }
            }
        }
    }

    /// The set holding only `scalar`.
    init(scalar: UInt32) { self.init([scalar...scalar]) }

    /// Every scalar.
    static let any = CharacterClass([0...maximumScalar])
    /// Every scalar except `\n` (what `.` matches without the `s` flag).
    static let anyExceptNewline = CharacterClass([0...9, 11...maximumScalar])

    /// Whether the set is empty (a class such as `[^\x00-\x{10FFFF}]` that matches nothing).
    var isEmpty: Bool { ranges.isEmpty }

    /// The only scalar in the set, if it has exactly one.
    var singleScalar: UInt32? {
        ranges.count == 1 && ranges[0].lowerBound == ranges[0].upperBound ? ranges[0].lowerBound : nil
    }

    /// Whether `scalar` is in the set.
    @inline(__always)
    func contains(_ scalar: UInt32) -> Bool {
        if scalar < 64 { return asciiLow & (1 << UInt64(scalar)) != 0 }
        if scalar < 128 { return asciiHigh & (1 << UInt64(scalar - 64)) != 0 }
        var low = 0
        var high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if scalar < range.lowerBound {
                high = middle - 1
            } else if scalar > range.upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }

    /// The scalars in either set.
    func union(_ other: CharacterClass) -> CharacterClass { CharacterClass(ranges + other.ranges) }

    /// The scalars not in the set.
    func inverted() -> CharacterClass {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            if range.upperBound == Self.maximumScalar { return CharacterClass(result) }
            next = range.upperBound + 1
        }
        result.append(next...Self.maximumScalar)
        return CharacterClass(result)
    }

    /// The set closed under simple case folding: every scalar whose case-insensitive form equals that of
    /// a member (`k` gives `k`, `K` and the Kelvin sign `K`).
    func caseFolded() -> CharacterClass {
        let added = CaseFolding.orbitMembers(of: ranges)
        return added.isEmpty ? self : CharacterClass(ranges + added.map { $0...$0 })
    }
}
