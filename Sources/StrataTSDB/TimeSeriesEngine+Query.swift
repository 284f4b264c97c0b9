import StrataCore

extension TimeSeriesEngine {
    /// Most steps one query may ask of a series.
    public static let maxStepsPerSeries: Int64 = 11_000

    /// The raw samples of one series in `fromMs...toMs`, staleness markers left out. Decoded off the actor on the
    /// query threads (a long range of a 1 s series is a million samples), from a snapshot (`headAndBlocks`).
    public nonisolated func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        guard fromMs <= toMs else { return [] }
        let (heads, blocks) = await headAndBlocks([series], resolution: .raw, from: fromMs, to: toMs)
        return try await BackgroundThreads.queries.run {
            var parts: [[Sample]] = []
            for block in blocks {
                let found = try block.samples(series: series, from: fromMs, to: toMs)
                if !found.isEmpty { parts.append(found) }
            }
            let fresh = heads[0].samples()
            if !fresh.isEmpty { parts.append(fresh) }
            // Staleness markers end a series; they are no values (a real NaN is one, and is returned).
            return Self.merge(parts).filter { !$0.isStaleMarker }
        }
    }

    /// Merges sorted sample lists; where a timestamp appears twice the earlier list (older block) wins.
    /// Lists that do not overlap (the usual case) are concatenated in time order.
    static func merge(_ parts: [[Sample]]) -> [Sample] {
        guard parts.count > 1 else { return parts.first ?? [] }
        var ordered: [Sample] = []
        var overlapping = false
        for part in parts.filter({ !$0.isEmpty }).sorted(by: { $0[0].timestampMs < $1[0].timestampMs }) {
            if let last = ordered.last, part[0].timestampMs <= last.timestampMs {
                overlapping = true
                break
            }
            ordered += part
        }
        guard overlapping else { return ordered }
        var byTime: [Int64: Double] = [:]
        for part in parts {
            for sample in part where byTime[sample.timestampMs] == nil { byTime[sample.timestampMs] = sample.value }
        }
        return byTime.sorted { $0.key < $1.key }.map { Sample($0.key, $0.value) }
    }

    /// The label index as it is now, to match against off the actor (a copy that shares storage until the
    /// next new series).
    func labelIndexSnapshot() -> LabelIndex { labelIndex }

    /// The series matching every matcher, sorted by id, with their labels. Matching runs off the actor, within
    /// `budget`.
    /// Many candidates are checked in parallel slices (one per core); the slices' sorted runs are merged.
    public nonisolated func select(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) async throws -> [(id: StableID, labels: Labels)] {
        let index = await labelIndexSnapshot()
        let selection = try await BackgroundThreads.queries.run { try index.plan(matchers, budget: budget) }
        let parts = min(BackgroundThreads.cores, max(1, selection.candidates.count / 4_096))
        let found = try await BackgroundThreads.queries.runSlices(selection.candidates.count, parts: parts) { range in
            try index.check(selection, range: range, budget: budget).sorted { $0.id < $1.id }
        }
        // Sorted runs: the standard sort merges them in linear time.
        return found.count == 1 ? found[0] : found.joined().sorted { $0.id < $1.id }
    }

    /// Label names in use, sorted.
    public func labelNames() -> [String] { labelIndex.names }

    /// Values of label `name`, sorted.
    public func labelValues(_ name: String) -> [String] { labelIndex.values(of: name) }

    /// The resolution `query` runs at: the one it names, else the coarsest of: what its step can use
    /// (1 h buckets for steps of an hour or more, 1 min for a minute or more, else raw) and what retention
    /// still holds at its start.
    public func resolution(for query: RangeQuery) -> Resolution {
        if let explicit = query.resolution { return explicit }
        var chosen: Resolution = query.stepMs >= Resolution.hour.milliseconds ? .hour
            : query.stepMs >= Resolution.minute.milliseconds ? .minute : .raw
        let now = referenceMs
        for resolution in [Resolution.raw, .minute] {
            if let keep = options.retentionMs[resolution], query.fromMs < now &- keep, chosen <= resolution {
                chosen = resolution == .raw ? .minute : .hour
            }
        }
        return chosen
    }

    /// Everything a query needs from the actor: matching series, their head chunks in the window (undecoded), and
    /// the blocks.
    struct QuerySnapshot: Sendable {
        var resolution: Resolution
        var series: [(id: StableID, labels: Labels, head: HeadSlice)]
        var blocks: [Block]
    }

    /// The head chunks of the `selected` series and the blocks a query needs; nothing is decoded (`headAndBlocks`).
    nonisolated func snapshot(for query: RangeQuery, selected: [(id: StableID, labels: Labels)], from: Int64, to: Int64) async -> QuerySnapshot {
        let resolution = await resolution(for: query)
        let (heads, blocks) = await headAndBlocks(selected.map(\.id), resolution: resolution, from: from,
                                                  to: to &+ max(0, resolution.milliseconds - 1))
        return QuerySnapshot(resolution: resolution, series: selected.indices.map { (selected[$0].id, selected[$0].labels, heads[$0]) },
                             blocks: blocks)
    }

    /// Runs a range query over every matching series within `budget`. Label matching and chunk decoding run
    /// off the actor and off the cooperative pool (`BackgroundThreads.queries`); only taking the selected series' head
    /// chunks happens on the actor, so a long query does not hold up ingest.
    public nonisolated func query(_ query: RangeQuery, budget: QueryBudget = .unlimited) async throws -> QueryResult {
        try await withTaskCancellationHandler {
            try await run(query, budget: budget)
        } onCancel: {
            budget.cancelled.raise()
        }
    }

    private nonisolated func run(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult {
        try query.validate()
        let steps = (query.toMs - query.alignedFromMs) / query.stepMs + 1
        guard steps <= Self.maxStepsPerSeries else {
            throw QueryError(message: "\(steps) steps per series is more than \(Self.maxStepsPerSeries); use a larger step or a shorter range")
        }
        // One step before the start: the baseline of rate and increase.
        let from = query.alignedFromMs &- query.stepMs
        let selected = try await select(query.matchers, budget: budget)
        try budget.check()
        let snapshot = await snapshot(for: query, selected: selected, from: from, to: query.lastStepEndMs)
        // Series are independent: decode them in a few parallel slices, keeping their order.
        let results = try await BackgroundThreads.queries.runSlices(snapshot.series.count,
                                                                    parts: min(4, max(1, snapshot.series.count / 64))) { range in
            try Self.evaluate(snapshot, range: range, query: query, from: from, budget: budget)
        }.flatMap { $0 }
        return QueryResult(resolution: snapshot.resolution, series: results)
    }

    /// Step points of the snapshot's series in `range`.
    static func evaluate(_ snapshot: QuerySnapshot, range: Range<Int>, query: RangeQuery, from: Int64,
                         budget: QueryBudget) throws -> [SeriesResult] {
        let width = snapshot.resolution.milliseconds
        let wanted = query.function.columns
        var results: [SeriesResult] = []
        // The last step is answered whole (`StepBuckets`), and so is the last bucket of a rollup level.
        let end = query.lastStepEndMs
        let to = end &+ max(0, width - 1)
        for series in snapshot.series[range] {
            try budget.check()
            var buckets: [RollupBucket]
            if snapshot.resolution == .raw {
                // Raw samples merge as `samples(series:…)` merges them (a timestamp twice: the older block wins).
                let parts = try snapshot.blocks.map { try $0.samples(series: series.id, from: from, to: to) } + [series.head.samples()]
                let samples = merge(parts)
                try budget.charge(samples: samples.count)
                buckets = Rollup.buckets(samples, resolutionMs: 0)
            } else {
                // Partial buckets of one period (late samples persisted apart) combine exactly.
                // Raw samples not rolled up yet (unrolled blocks and the head) merge first, so a sample stored twice
                // (a resend after a restart) is bucketed once.
                let stored = try snapshot.blocks.filter { $0.resolution != .raw }.map { try $0.buckets(series: series.id, from: from, to: to, wanted: wanted) }
                let raw = merge(try snapshot.blocks.filter { $0.resolution == .raw }.map { try $0.samples(series: series.id, from: from, to: to) } + [series.head.samples()])
                try budget.charge(samples: raw.count + stored.reduce(0) { $0 + $1.count })
                buckets = Rollup.merge(stored + [Rollup.buckets(raw, resolutionMs: width)])
            }
            buckets.removeAll { $0.start < from || $0.start > end }
            let points = StepAggregator.points(buckets, query: query)
            if !points.isEmpty { results.append(SeriesResult(id: series.id, labels: series.labels, points: points)) }
        }
        return results
    }
}
