import StrataCore

/// A block's series ids to their positions in its index: open addressing over the ids' own bits. A series id is
/// already a hash, so it needs no hashing again; `Dictionary` hashed each with a seeded SipHash, a tenth of a
/// selection's reading of 10k series.
struct SeriesPositions: Sendable {
    private var keys: [UInt64]
    /// -1 for an empty slot.
    private var positions: [Int32]
    private let shift: UInt64

    /// The positions of `ids` (distinct), in their order.
    init(_ ids: some Collection<StableID>) {
        var bits = 4
        while (1 << bits) * 3 < ids.count * 4 { bits += 1 }  // at most three quarters full
        shift = UInt64(64 - bits)
        keys = [UInt64](repeating: 0, count: 1 << bits)
        positions = [Int32](repeating: -1, count: 1 << bits)
        for (position, id) in ids.enumerated() {
            var slot = slot(of: id.rawValue)
            while positions[slot] >= 0, keys[slot] != id.rawValue { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = id.rawValue
            positions[slot] = Int32(truncatingIfNeeded: position)
        }
    }

    /// The first slot to probe for `key`: Fibonacci hashing, so ids differing only in low bits spread.
    @inline(__always) private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The position of `id`, if the block holds it.
    subscript(id: StableID) -> Int? {
        keys.withUnsafeBufferPointer { keys in
            positions.withUnsafeBufferPointer { positions in
                var slot = slot(of: id.rawValue)
                while positions[slot] >= 0 {
                    if keys[slot] == id.rawValue { return Int(positions[slot]) }
                    slot = (slot + 1) & (keys.count - 1)
                }
                return nil
            }
        }
    }
}
