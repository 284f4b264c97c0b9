import StrataCore

/// What the raw blocks already hold, asked while the WAL is replayed: a logged sample that a block also holds is
/// skipped, so no sample is stored twice and no rollup counts it twice. That happens after a crash between
/// committing a persist's blocks and deleting the WAL segments they made redundant. Only samples no newer than
/// the newest block sample are looked up; a series' block timestamps are read once, on its first lookup.
struct PersistedSamples {
    private let blocks: [Block]
    private let newestMs: Int64
    private var timestamps: [StableID: Set<Int64>] = [:]

    /// Lookups into `blocks` (raw).
    init(_ blocks: [Block]) {
        self.blocks = blocks
        newestMs = blocks.map(\.index.maxT).max() ?? .min
    }

    /// Whether a raw block holds a sample of `id` at `timestampMs`.
    mutating func contains(_ id: StableID, _ timestampMs: Int64) -> Bool {
        guard timestampMs <= newestMs else { return false }
        if let known = timestamps[id] { return known.contains(timestampMs) }
        var known = Set<Int64>()
        for block in blocks where block.lookup[id] != nil {
            for sample in (try? block.samples(series: id, from: .min, to: .max)) ?? [] { known.insert(sample.timestampMs) }
        }
        timestamps[id] = known
        return known.contains(timestampMs)
    }
}
