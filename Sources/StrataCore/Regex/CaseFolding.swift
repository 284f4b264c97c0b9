/// Simple case folding for `(?i)`, derived once from the standard library's case mappings.
///
/// Two scalars are equivalent when they have the same *key*: the lowercase of the uppercase of the
/// scalar, using only mappings that yield a single scalar (the "simple" mappings). This groups `k`, `K`
/// and the Kelvin sign, or `s`, `S` and `ſ`, or `σ`, `ς` and `Σ`, as Unicode simple case folding does.
/// The Turkish dotted and dotless i are left alone, as Go's `unicode.SimpleFold` leaves them.
enum CaseFolding {
    /// Every scalar whose key differs from itself, with its key; sorted by scalar.
    static let keyed: [(scalar: UInt32, key: UInt32)] = {
        var result: [(scalar: UInt32, key: UInt32)] = []
        // Cased scalars all lie below U+1F000 (the last are Adlam, U+1E900–U+1E94B).
        for value: UInt32 in 0..<0x1F000 {
            guard value != 0x130, value != 0x131,
                  let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped
            else { continue }
            var key = value
            for _ in 0..<3 {  // iterate to a fixed point so that keys are their own keys
                let next = lower(upper(key))
                if next == key { break }
                key = next
            }
            if key != value { result.append((value, key)) }
        }
        return result
    }()

    /// For each key, every scalar that folds to it, the key included.
    static let orbits: [UInt32: [UInt32]] = {
        var result: [UInt32: [UInt32]] = [:]
        for entry in keyed { result[entry.key, default: [entry.key]].append(entry.scalar) }
        return result
    }()

    /// The keys of `orbits`, sorted, to find those inside a range.
    static let sortedKeys: [UInt32] = orbits.keys.sorted()

    /// Every scalar case-equivalent to some scalar in `ranges` (may repeat members of `ranges`).
    ///
    /// Cost is proportional to the number of cased scalars inside `ranges` (a few thousand at most),
    /// not to the size of the ranges, so folding `[^a]` is cheap.
    static func orbitMembers(of ranges: [ClosedRange<UInt32>]) -> [UInt32] {
        var keys: [UInt32] = []
        for range in ranges {
            var index = lowerBound(range.lowerBound, in: keyed.count) { keyed[$0].scalar }
            while index < keyed.count, keyed[index].scalar <= range.upperBound {
                keys.append(keyed[index].key)
                index += 1
            }
            index = lowerBound(range.lowerBound, in: sortedKeys.count) { sortedKeys[$0] }
            while index < sortedKeys.count, sortedKeys[index] <= range.upperBound {
                keys.append(sortedKeys[index])
                index += 1
            }
        }
        return keys.flatMap { orbits[$0] ?? [] }
    }

    /// The first index in `0..<count` whose value (from `valueAt`, ascending) is at least `value`.
    private static func lowerBound(_ value: UInt32, in count: Int, _ valueAt: (Int) -> UInt32) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if valueAt(middle) < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The simple (single-scalar) uppercase mapping of `value`, or `value` itself.
    private static func upper(_ value: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(value) else { return value }
        return single(scalar.properties.uppercaseMapping) ?? value
    }

    /// The simple (single-scalar) lowercase mapping of `value`, or `value` itself.
    private static func lower(_ value: UInt32) -> UInt32 {
        guard let scalar = Unicode.Scalar(value) else { return value }
        return single(scalar.properties.lowercaseMapping) ?? value
    }

    private static func single(_ mapping: String) -> UInt32? {
        var iterator = mapping.unicodeScalars.makeIterator()
        guard let first = iterator.next(), iterator.next() == nil else { return nil }
        return first.value
    }
}
