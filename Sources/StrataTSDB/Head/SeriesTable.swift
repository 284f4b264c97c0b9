import StrataCore

/// The head's series by id: each series gets a dense `SeriesRef` (its position in insertion order, from 1), so a
/// caller that kept the ref finds it with one array load; a lookup by id goes through a `DenseIDTable` of 4-byte
/// slots (16-byte slots of id and object before: 3 MiB more for 100k series). Never removes a series. Not
/// `Sendable`: owned by the engine actor.
final class SeriesTable: Sequence {
    private var numbers: DenseIDTable
    /// Series by ref - 1.
    private var dense: [MemSeries] = []

    init(capacity: Int = 1024) { numbers = DenseIDTable(capacity: capacity) }

    /// Number of series: the length of the dense list (every series, in the order they arrived).
    var count: Int { dense.count }

    subscript(id: StableID) -> MemSeries? {
        get { numbers.number(of: id) { dense[$0].id }.map { dense[$0] } }
        set {
            guard let newValue else { preconditionFailure("SeriesTable does not remove series") }
            precondition(newValue.id == id, "a series is kept under its own id")
            if let known = numbers.number(of: id, idOf: { dense[$0].id }) {
                dense[known] = newValue
                newValue.ref = SeriesRef(rawValue: UInt32(truncatingIfNeeded: known + 1))
                return
            }
            dense.append(newValue)
            newValue.ref = SeriesRef(rawValue: UInt32(truncatingIfNeeded: dense.count))
            numbers.append(id) { dense[$0].id }
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

    /// `series(_:hint:)` as a handle for a per-sample loop of the engine's current turn.
    @inline(__always)
    func handle(_ id: StableID, hint: SeriesRef) -> SeriesHandle? {
        series(id, hint: hint).map(SeriesHandle.init)
    }

    /// The series at `index` of the dense list.
    func series(atDense index: Int) -> MemSeries { dense[index] }

    /// Every (id, series) pair, in the order they arrived.
    func makeIterator() -> AnyIterator<(StableID, MemSeries)> {
        var index = 0
        return AnyIterator {
            guard index < self.dense.count else { return nil }
            defer { index += 1 }
            return (self.dense[index].id, self.dense[index])
        }
    }
}
