import StrataCore

/// The head's series by id: an open-addressing hash table keyed by the 64-bit id itself.
///
/// Series ids are already well-mixed hashes, so their low bits index the table directly — no `Hasher`
/// (SipHash) per lookup, which profiling showed on the ingest path. Linear probing, load factor ≤ 0.5,
/// never shrinks. Not `Sendable`: owned by the engine actor.
final class SeriesTable: Sequence {
    private var keys: [UInt64]
    private var values: [MemSeries?]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: 0, count: size)
        values = [MemSeries?](repeating: nil, count: size)
        mask = size - 1
    }

    subscript(id: StableID) -> MemSeries? {
        get {
            var slot = Int(truncatingIfNeeded: id.rawValue) & mask
            while let value = values[slot] {
                if keys[slot] == id.rawValue { return value }
                slot = (slot + 1) & mask
            }
            return nil
        }
        set {
            guard let newValue else { preconditionFailure("SeriesTable does not remove series") }
            if (count + 1) * 2 > keys.count { grow() }
            var slot = Int(truncatingIfNeeded: id.rawValue) & mask
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
        }
    }

    private func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [MemSeries?](repeating: nil, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for index in 0..<oldKeys.count {
            if let value = oldValues[index] { self[StableID(rawValue: oldKeys[index])] = value }
        }
    }

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
