import StrataCore

/// Finds the dense number (0, 1, 2, …) of a series id: an open-addressing table of 4-byte slots holding number + 1
/// (0: empty), the id of a candidate read from the caller's list by number. Ids are already hashes, so one
/// multiplication by a random odd number per process places them (no `Hasher` per lookup, and a client crafting
/// ids cannot predict their slots). Load factor ≤ 0.5, never shrinks; numbers must be added in order.
///
/// A `[StableID: UInt32]` or a table of (id, object) slots took 12–16 bytes a slot: this is 4, so 100k series
/// cost 1 MiB of slots, not 3–4.
struct DenseIDTable: Sendable {
    private var slots: [UInt32]
    private var shift: UInt64
    private let multiplier: UInt64
    /// Numbers held (0..<count).
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        shift = UInt64(64 - size.trailingZeroBitCount)
        var generator = SystemRandomNumberGenerator()
        multiplier = generator.next() | 1
    }

    @inline(__always)
    private func home(_ id: UInt64) -> Int { Int(truncatingIfNeeded: (id &* multiplier) >> shift) }

    /// The number of `id`, given each number's id.
    @inline(__always)
    func number(of id: StableID, idOf: (Int) -> StableID) -> Int? {
        let mask = slots.count - 1
        var slot = home(id.rawValue)
        while true {
            let held = Int(slots[slot])
            if held == 0 { return nil }
            if idOf(held - 1) == id { return held - 1 }
            slot = (slot + 1) & mask
        }
    }

    /// Adds the next number (`count`) for `id`, which the table does not hold; `idOf` gives each number's id
    /// (the new one's included), read again when the table grows.
    mutating func append(_ id: StableID, idOf: (Int) -> StableID) {
        if (count + 1) * 2 > slots.count {
            slots = [UInt32](repeating: 0, count: slots.count * 2)
            shift = UInt64(64 - slots.count.trailingZeroBitCount)
            for number in 0..<count { place(idOf(number).rawValue, number: number) }
        }
        place(id.rawValue, number: count)
        count += 1
    }

    private mutating func place(_ id: UInt64, number: Int) {
        let mask = slots.count - 1
        var slot = home(id)
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = UInt32(truncatingIfNeeded: number + 1)
    }
}
