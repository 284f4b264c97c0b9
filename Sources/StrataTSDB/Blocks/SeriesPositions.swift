import StrataCore

/// A block's series ids to their positions in its index: open addressing over the ids' own bits. A series id is
/// already a hash, so it needs no hashing again; `Dictionary` hashed each with a seeded SipHash, a tenth of a
/// selection's reading of 10k series.
struct SeriesPositions: Sendable {
    /// A slot: the id and its position (-1 for an empty slot), side by side so a probe loads one cache line.
    private struct Slot {
        var key: UInt64 = 0
        var position: Int32 = -1
    }

    private var slots: [Slot]
    private let shift: UInt64

    /// The positions of `ids` (distinct), in their order.
    init(_ ids: some Collection<StableID>) {
        var bits = 4
        while (1 << bits) * 3 < ids.count * 4 { bits += 1 }  // at most three quarters full
        shift = UInt64(64 - bits)
        slots = [Slot](repeating: Slot(), count: 1 << bits)
        for (position, id) in ids.enumerated() {
            var slot = slot(of: id.rawValue)
            while slots[slot].position >= 0, slots[slot].key != id.rawValue { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Slot(key: id.rawValue, position: Int32(truncatingIfNeeded: position))
        }
    }

    /// The first slot to probe for `key`: Fibonacci hashing, so ids differing only in low bits spread.
    @inline(__always) private func slot(of key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The position of `id`, if the block holds it.
    subscript(id: StableID) -> Int? {
        slots.withUnsafeBufferPointer { slots in
            var slot = slot(of: id.rawValue)
            while slots[slot].position >= 0 {
                if slots[slot].key == id.rawValue { return Int(slots[slot].position) }
                slot = (slot + 1) & (slots.count - 1)
            }
            return nil
        }
    }
}
