import StrataCore

extension TimeSeriesEngine {
    /// Series sliced per turn of the actor in `headAndBlocks`.
    static let slicesPerTurn = 2_048

    /// What a read of `ids` at `resolution` over `from...to` needs from the actor: each series' head slice (chunk
    /// references, nothing decoded) and the blocks to read. The head is sliced `slicesPerTurn` series per turn of the
    /// actor, so ingest goes on between the turns however many series a read selects (a read of 68,000 series held
    /// the actor in one piece before). The blocks are taken in a last turn; if they changed while the head was sliced
    /// (a persist moved samples from the head into a block, a rollup or a compaction replaced blocks), the slicing
    /// starts over, and after three such tries everything is taken in one turn: the read sees each sample exactly
    /// once, as a single-turn snapshot does. A read that fits one turn (one series, say) is taken in one turn at once.
    nonisolated func headAndBlocks(_ ids: [StableID], resolution: Resolution, from: Int64,
                                   to: Int64) async -> (heads: [HeadSlice], blocks: [Block]) {
        guard ids.count > Self.slicesPerTurn else { return await wholeSnapshot(ids, resolution: resolution, from: from, to: to) }
        for _ in 0..<3 {
            let version = await blocksVersion
            var heads: [HeadSlice] = []
            heads.reserveCapacity(ids.count)
            var start = 0
            while start < ids.count {
                let end = min(ids.count, start + Self.slicesPerTurn)
                heads += await headSlices(ids[start..<end], from: from, to: to)
                start = end
            }
            let (blocks, now) = await blocksAndVersion(resolution: resolution, from: from, to: to)
            if now == version { return (heads, blocks) }
        }
        return await wholeSnapshot(ids, resolution: resolution, from: from, to: to)
    }

    /// One turn's head slices.
    func headSlices(_ ids: ArraySlice<StableID>, from: Int64, to: Int64) -> [HeadSlice] {
        ids.map { head[$0]?.slice(from: from, to: to) ?? .empty }
    }

    /// The blocks a read at `resolution` needs, with the version they were taken at.
    private func blocksAndVersion(resolution: Resolution, from: Int64, to: Int64) -> ([Block], UInt64) {
        (blocks(for: resolution, from: from, to: to), blocksVersion)
    }

    /// Head slices and blocks in one turn.
    private func wholeSnapshot(_ ids: [StableID], resolution: Resolution, from: Int64, to: Int64) -> (heads: [HeadSlice], blocks: [Block]) {
        (headSlices(ids[...], from: from, to: to), blocks(for: resolution, from: from, to: to))
    }

    /// The blocks a read at `resolution` over `from...to` needs: at a rollup level, raw blocks not rolled up yet too
    /// (bucketed as the head is).
    func blocks(for resolution: Resolution, from: Int64, to: Int64) -> [Block] {
        let candidates = (blocks[resolution] ?? []) + (resolution == .raw ? [] : (blocks[.raw] ?? []).filter { !$0.index.rolledUp })
        return candidates.filter { $0.overlaps(from, to) }
    }
}
