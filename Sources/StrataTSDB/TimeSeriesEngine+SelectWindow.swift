import StrataCore

extension MemSeries {
    /// Whether the series may hold samples (staleness markers included) within `from...to`: one of its chunks
    /// overlaps the window, or an out-of-order sample lies in it.
    func mayHoldSamples(from: Int64, to: Int64) -> Bool {
        if allChunks().contains(where: { $0.maxT >= from && $0.minT <= to }) { return true }
        if outOfOrder.contains(where: { $0.timestampMs >= from && $0.timestampMs <= to }) { return true }
        return frozen?.outOfOrder.contains { $0.timestampMs >= from && $0.timestampMs <= to } ?? false
    }
}

extension Block {
    /// Whether the block may hold samples of `series` within `from...to`: a chunk of it overlaps the window.
    func mayHoldSamples(series: StableID, from: Int64, to: Int64) -> Bool {
        guard overlaps(from, to), let position = lookup[series] else { return false }
        return chunkRefs(at: position).contains { $0.maxT >= from && $0.minT <= to }
    }

    /// Whether every sample the block holds of `series` within `from...to` is older than `time`, read from its chunks'
    /// bounds (nothing decoded).
    func holdsOnlyOlder(series: StableID, from: Int64, to: Int64, than time: Int64) -> Bool {
        guard overlaps(from, to), let position = lookup[series] else { return true }
        return !chunkRefs(at: position).contains { $0.maxT >= from && $0.minT <= to && $0.maxT >= time }
    }
}

extension TimeSeriesEngine {
    /// The series matching `matchers` that hold samples within `fromMs...toMs`, decided by chunk bounds as
    /// Prometheus's index decides which series a time range lists (no chunk is decoded). Sorted by id.
    public nonisolated func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64,
                                   budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        let selected = try await select(matchers, budget: budget)
        try budget.check()
        return await holdingSamples(selected, from: fromMs, to: toMs)
    }

    /// The `selected` series with samples in the window, in the head or in a block of any resolution.
    func holdingSamples(_ selected: [(id: StableID, labels: Labels)], from: Int64, to: Int64) -> [(id: StableID, labels: Labels)] {
        let relevant = blocks.values.flatMap { $0 }.filter { $0.overlaps(from, to) }
        return selected.filter { series in
            if head[series.id]?.mayHoldSamples(from: from, to: to) == true { return true }
            return relevant.contains { $0.mayHoldSamples(series: series.id, from: from, to: to) }
        }
    }
}
