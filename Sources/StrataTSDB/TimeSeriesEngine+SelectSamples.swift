import StrataCore

extension TimeSeriesEngine {
    /// The series matching `matchers` with their raw samples in `fromMs...toMs`, staleness markers kept; series
    /// without samples in the window are left out. Matching and all decoding (blocks and head chunks) run off the
    /// actor on the query threads, in a few parallel slices; the actor only hands over the head chunks in the window.
    public nonisolated func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64,
                                          budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, visible: false)
    }

    public nonisolated func selectVisibleSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64,
                                                 budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, visible: true)
    }

    public nonisolated func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64,
                                                budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, visible: false, newest: true)
    }

    public nonisolated func selectVisibleNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64,
                                                       budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, visible: true, newest: true)
    }

    /// `selectSamples`, with each series' labels made `visible` in the decoding slices when asked, and only each
    /// series' newest sample kept when asked.
    nonisolated func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget,
                                   visible: Bool, newest: Bool = false) async throws -> [SelectedSeries] {
        try await withTaskCancellationHandler {
            let selected = try await select(matchers, budget: budget)
            try budget.check()
            guard !selected.isEmpty, fromMs <= toMs else { return [] }
            let snapshot = await rawSnapshot(selected, from: fromMs, to: toMs)
            return try await BackgroundThreads.queries.runSlices(snapshot.series.count,
                                                                 parts: min(4, max(1, snapshot.series.count / 256))) { range in
                try Self.decode(snapshot, range: range, from: fromMs, to: toMs, budget: budget, visible: visible, newest: newest)
            }.flatMap { $0 }
        } onCancel: {
            budget.cancelled.raise()
        }
    }

    /// What a bulk read needs from the actor: the selected series' head chunks in the window (undecoded) and the
    /// raw blocks overlapping it.
    struct RawSnapshot: Sendable {
        var series: [(id: StableID, labels: Labels, head: HeadSlice)]
        var blocks: [Block]
    }

    /// The snapshot of a bulk read; no chunk is decoded (`headAndBlocks`).
    nonisolated func rawSnapshot(_ selected: [(id: StableID, labels: Labels)], from: Int64, to: Int64) async -> RawSnapshot {
        let (heads, blocks) = await headAndBlocks(selected.map(\.id), resolution: .raw, from: from, to: to)
        return RawSnapshot(series: selected.indices.map { (id: selected[$0].id, labels: selected[$0].labels, head: heads[$0]) }, blocks: blocks)
    }

    /// The samples of the snapshot's series in `range`, blocks and head merged as `samples(series:…)` merges them;
    /// only the newest of each series when `newest` (decoded into one array reused from series to series).
    static func decode(_ snapshot: RawSnapshot, range: Range<Int>, from: Int64, to: Int64,
                       budget: QueryBudget, visible: Bool = false, newest: Bool = false) throws -> [SelectedSeries] {
        var found: [SelectedSeries] = []
        found.reserveCapacity(range.count)
        var scratch: [Sample] = []
        for index in range {
            if index & 255 == 0 { try budget.check() }
            let id = snapshot.series[index].id
            let head = snapshot.series[index].head
            func read(into samples: inout [Sample]) throws {
                if try !samplesInOrder(id, head, blocks: snapshot.blocks, from: from, to: to, into: &samples) {
                    samples = try merge(snapshot.blocks.map { try $0.samples(series: id, from: from, to: to) } + [head.samples()])
                }
            }
            var samples: [Sample] = []
            if newest, let last = head.newestWithoutDecoding,
               snapshot.blocks.allSatisfy({ $0.holdsOnlyOlder(series: id, from: from, to: to, than: last.timestampMs) }) {
                // The open chunk's last sample is the newest: an instant query at "now" decodes nothing.
                samples = [last]
            } else if newest {
                scratch.removeAll(keepingCapacity: true)
                try read(into: &scratch)
                if let last = scratch.last { samples = [last] }
            } else {
                try read(into: &samples)
            }
            // What the answer keeps counts against the query's sample limit (one sample when only the newest).
            try budget.charge(samples: samples.count)
            if !samples.isEmpty {
                let labels = snapshot.series[index].labels
                found.append(SelectedSeries(id: id, labels: visible ? labels.visible : labels, samples: samples))
            }
        }
        return found
    }

    /// The samples of one series decoded straight into `samples` (empty before), when its blocks and head chunks
    /// follow each other in time (the usual case); false when they overlap or the head holds late samples, for `merge`.
    static func samplesInOrder(_ id: StableID, _ head: HeadSlice, blocks: [Block], from: Int64, to: Int64,
                               into samples: inout [Sample]) throws -> Bool {
        guard head.late.isEmpty else { return false }
        var boundary = Int64.min
        func check(from start: Int) -> Bool {
            guard start < samples.count else { return true }
            guard start == 0 || samples[start].timestampMs > boundary else { return false }
            boundary = samples[samples.count - 1].timestampMs
            return true
        }
        for block in blocks {
            let start = samples.count
            try block.appendSamples(series: id, from: from, to: to, into: &samples)
            guard check(from: start) else { return false }
        }
        let start = samples.count
        head.append(into: &samples)
        return check(from: start)
    }
}
