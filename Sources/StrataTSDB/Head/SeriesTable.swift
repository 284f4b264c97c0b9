import StrataCore

/// The head's series by id: an open-addressing hash table keyed by the 64-bit id itself.
///
/// Series ids are already hashes, so one multiplication by a random odd number per process (keeping the
/// high bits) places them — no `Hasher` (SipHash) per lookup, which profiling showed on the ingest path —
/// while a client that crafts ids cannot predict their slots. Linear probing, load factor ≤ 0.5, never
/// shrinks. Each series also gets a dense `SeriesRef` (its position in insertion order), so a caller that
/// kept the ref finds it with one array load instead of probing. Not `Sendable`: owned by the engine actor.
final class SeriesTable: Sequence {
    private var keys: [UInt64]
    private var values: [MemSeries?]
    /// Series by ref - 1.
    private var dense: [MemSeries] = []
    private var mask: Int
    private var shift: UInt64
    private let multiplier: UInt64
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [MemSeries?](repeating: nil, count: size)
        mask = size - 1
        shift = UInt64(64 - size.trailingZeroBitCount)
        var generator = SystemRandomNumberGenerator()
        multiplier = generator.next() | 1
    }

    @inline(__always)
    private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* multiplier) >> shift) }

    subscript(id: StableID) -> MemSeries? {
        get {
            var slot = home(id.rawValue)
            while let value = values[slot] {
                if keys[slot] == id.rawValue { return value }
                slot = (slot + 1) & mask
            }
            return nil
        }
        set {
            guard let newValue else { preconditionFailure("SeriesTable does not remove series") }
            if (count + 1) * 2 > keys.count { grow() }
            var slot = home(id.rawValue)
            while values[slot] != nil {
                if keys[slot] == id.rawValue {
                    values[slot] = newValue
                    return
                }
                slot = (slot + 1) & mask
            }
            keys[slot] = id.rawValue
            values[slot] = newValue
            count += 1
            if newValue.ref == .none {
                dense.append(newValue)
                newValue.ref = SeriesRef(rawValue: UInt32(truncatingIfNeeded: dense.count))
            }
        }
    }

    /// The series `id`, found through `hint` when it names that series, else by probing.
    @inline(__always)
    func series(_ id: StableID, hint: SeriesRef) -> MemSeries? {
        let index = Int(hint.rawValue) &- 1
        if index >= 0 && index < dense.count {
            let candidate = dense[index]
            if candidate.id == id { return candidate }
        }
        return self[id]
    }

    private func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [MemSeries?](repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        shift = UInt64(64 - keys.count.trailingZeroBitCount)
        count = 0
        for index in 0..<oldKeys.count {
            if let value = oldValues[index] { self[StableID(rawValue: oldKeys[index])] = value }
        }
        // Refs stay: re-inserting kept every series' ref (only a series without one is appended to `dense`).
    }

    /// Number of series in the dense list (every series, in the order they arrived).
    var denseCount: Int { dense.count }

    /// The series at `index` of the dense list.
    func series(atDense index: Int) -> MemSeries { dense[index] }

    /// Every (id, series) pair, in no particular order.
    func makeIterator() -> AnyIterator<(StableID, MemSeries)> {
        var index = 0
        return AnyIterator {
            while index < self.keys.count {
                defer { index += 1 }
                if let value = self.values[index] { return (StableID(rawValue: self.keys[index]), value) }
            }
            return nil
        }
    }
}
