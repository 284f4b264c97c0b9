import Logging
import StrataCore

/// Strata's time-series engine: a write-ahead log, an in-memory head of compressed chunks, immutable
/// blocks at three resolutions (raw, 1 min and 1 h rollups), a label index, compaction and retention.
///
/// `append` applies samples to the head under the actor's isolation, enqueues one WAL record in that
/// same order, and returns once the record is durable, so an acknowledged sample survives kill -9: on
/// open, the WAL is replayed into the head (a torn tail is cut and logged). When the head spans a block
/// duration it is persisted as a raw block (rolled up later) in one `BlockTransaction`; compaction, roll-up and
/// retention then run beside ingest (`TimeSeriesEngine+Maintenance.swift`).
public actor TimeSeriesEngine: SampleStore {
    /// Tunables.
    public struct Options: Sendable {
        /// Samples at most this much older than a series' newest sample are accepted and merged.
        public var outOfOrderWindowMs: Int64 = 3_600_000
        /// WAL segment size.
        public var walSegmentSize = 128 << 20
        /// Zero-fill WAL segments ahead of use, so a sync writes the records' blocks only (`SegmentWriter`).
        public var walPreallocate = true
        /// The head is persisted as a block once the samples it holds span this long.
        public var blockDurationMs: Int64 = 2 * 3_600_000
        /// How long each resolution is kept, behind the newest sample stored. Whole blocks are deleted.
        public var retentionMs: [Resolution: Int64] = [
            .raw: 15 * 86_400_000, .minute: 90 * 86_400_000, .hour: 730 * 86_400_000,
        ]
        /// Blocks of a resolution whose start falls in the same aligned window of this span are compacted
        /// into one once the window is complete.
        public var compactionSpanMs: [Resolution: Int64] = [
            .raw: 86_400_000, .minute: 7 * 86_400_000, .hour: 30 * 86_400_000,
        ]
        /// Persist the head in the background as soon as it spans `blockDurationMs` (library use). A server
        /// turns this off and runs persistence as a service of its own (`headIsDue`, `persistHead()`).
        public var automaticPersist = true
        /// Run compaction and retention after each head persistence (library use); a server turns this off and
        /// runs `maintain()` as a service.
        public var automaticMaintenance = true
        /// Samples more than this ahead of `clock` are refused (`tooFarInFuture`), under every policy.
        public var futureToleranceMs: Int64 = 600_000
        /// The store's clock, Unix ms. The future bound and `AppendPolicy.maxAgeMs` are measured from it, and
        /// retention from the earlier of it and the newest sample (`referenceMs`) — never from the newest sample
        /// alone: one engine serves every tenant, and a sample one tenant sends years ahead must not move another
        /// tenant's bounds or expire its data. Tests inject a fixed clock.
        public var clock: @Sendable () -> Int64 = { WallClock.nowMs() }

        /// The defaults.
        public init() {}
    }

    /// Yields when an append finds the head due for persisting (with `automaticPersist` off): the owner's
    /// persistence service waits on it. Only the latest signal is kept.
    public nonisolated let headDue: AsyncStream<Void>
    let dueSignal: AsyncStream<Void>.Continuation

    /// Whether the head spans a block's duration (since the last persisted sample): time to persist it.
    public var headIsDue: Bool {
        guard let range = headRange else { return false }
        return range.max - range.min >= options.blockDurationMs
            && (lastPersistedMax == .min || range.max - lastPersistedMax >= options.blockDurationMs)
    }

    /// The options it was opened with.
    public nonisolated let options: Options
    let logger: Logger
    let wal: WriteAheadLog
    let blocksDirectory: String
    var head = SeriesTable()
    /// Persisted blocks per resolution, oldest first.
    var blocks: [Resolution: [Block]] = [:] {
        didSet { blocksVersion &+= 1 }
    }
    /// Moves whenever `blocks` changes (a persist, a rollup, a compaction, retention): reads that slice the head
    /// over several turns check it (`headAndBlocks`).
    var blocksVersion: UInt64 = 0
    /// Labels of every known series, for matchers.
    var labelIndex = LabelIndex()
    /// The compaction and retention pass running, if any.
    var maintenanceTask: Task<MaintenanceReport, any Error>?
    /// Moves at each persist's WAL cut: a series' samples of an earlier epoch belong to that persist.
    var persistEpoch: UInt32 = 0
    /// The epoch whose blocks are installed, shared with every series (their frozen samples of it are no longer read).
    let persistCursor: PersistCursor
    /// The head persist writing blocks in the background, if any.
    var persisting: Task<Void, any Error>?
    /// When the latest completed head persist started and finished (for the persist-stall benchmark).
    public internal(set) var lastPersist: (started: ContinuousClock.Instant, finished: ContinuousClock.Instant)?
    /// The persist (and maintenance) an append scheduled, while it has not finished.
    var scheduledPersist: Task<Void, Never>?
    /// The newest timestamp ever stored. Never more than `futureToleranceMs` ahead of the clock, so no
    /// tenant can move it further; retention and the choice of resolution measure from the earlier of it and
    /// the clock (`referenceMs`).
    var newestAppended: Int64 = .min
    /// Oldest and newest timestamps appended to the head since it was last persisted.
    var headRange: (min: Int64, max: Int64)?
    /// The newest timestamp of the last persisted head. The head is persisted again only once its newest
    /// sample is a block duration past this, so stray old samples cannot make it persist on every append.
    var lastPersistedMax: Int64 = .min
    /// Totals since open, for the server's metrics.
    public private(set) var totals = AppendSummary()

    /// Opens the engine in `directory`, replaying its WAL.
    public init(directory: String, options: Options = Options(), logger: Logger) throws {
        self.options = options
        self.logger = logger
        persistCursor = PersistCursor()
        (headDue, dueSignal) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let walDirectory = directory + "/wal"
        blocksDirectory = directory + "/blocks"
        let loaded = try Self.loadBlocks(blocksDirectory, logger: logger)
        var loadedIndex = LabelIndex()
        for block in loaded.values.joined() {
            // Each series' labels are built once, from the first block that holds it.
            for (position, id) in block.index.ids.enumerated() where loadedIndex.labels(of: id) == nil {
                let labels = block.index.labels(at: position)
                if !labels.isEmpty { loadedIndex.add(id, labels) }
            }
        }
        let recovered = SeriesTable()
        var range: (min: Int64, max: Int64)?
        var replayed = 0
        var undecodable = 0
        var persisted = PersistedSamples(loaded[.raw] ?? [])
        var inBlocks = 0
        var refs = RefSampleRecord.Table()
        // Each record is applied as it is read: the log is never held whole.
        let recovery = try WriteAheadLog.recover(directory: walDirectory, logger: logger) { payload in
            switch try? WALRecord.decode(Array(payload), refs: &refs) {
            case .series(let entries):
                for entry in entries where recovered[entry.id] == nil {
                    recovered[entry.id] = MemSeries(id: entry.id)
                    loadedIndex.add(entry.id, entry.labels)
                }
            case .samples(let batch):
                inBlocks += Self.replay(batch, into: recovered, range: &range, persisted: &persisted)
                replayed += batch.count
            case nil:
                undecodable += 1
            }
        }
        head = recovered
        headRange = range
        blocks = loaded
        labelIndex = loadedIndex
        lastPersistedMax = loaded[.raw]?.map(\.index.maxT).max() ?? .min
        newestAppended = max(lastPersistedMax, range?.max ?? .min)
        wal = try WriteAheadLog(directory: walDirectory, segmentSize: options.walSegmentSize, preallocate: options.walPreallocate,
                                recovered: recovery, logger: logger)
        logger.info("time-series engine opened", metadata: [
            "series": "\(recovered.count)", "blocks": "\(loaded.values.joined().count)", "replayedSamples": "\(replayed)", "walRecords": "\(recovery.recordCount)",
            "undecodableRecords": "\(undecodable)", "cutBytes": "\(recovery.cutBytes)", "alreadyInBlocks": "\(inBlocks)",
        ])
    }

    /// An appender whose commits follow `policy`.
    public nonisolated func appender(policy: AppendPolicy) -> any Appender {
        EngineAppender(engine: self, policy: policy)
    }

    /// Appends a flat batch durably under `policy`. The actor is entered once, to apply the batch and
    /// enqueue its WAL record; waiting for durability happens outside it, so the next batch is applied
    /// meanwhile and this one does not queue for the actor again just to return.
    @discardableResult
    public nonisolated func appendBatch(_ batch: SampleBatch, policy: AppendPolicy) async throws -> AppendSummary {
        try await appendResolving(batch, policy: policy).summary
    }

    /// `appendBatch`, also returning the `SeriesRef` of each series whose sample carried no valid hint, for
    /// callers that pass hints next time.
    public nonisolated func appendResolving(_ batch: SampleBatch, policy: AppendPolicy) async throws -> AppendResult {
        let (result, ticket) = try await apply(batch, policy: policy)
        if ticket > 0 { try await wal.waitUntilDurable(ticket) }
        return result
    }

    /// Applies a batch to the head and enqueues its WAL record; returns the result and the record's ticket
    /// (0 when nothing was logged).
    func apply(_ batch: SampleBatch, policy: AppendPolicy) throws -> (AppendResult, UInt64) {
        let window = policy.outOfOrderWindowMs ?? options.outOfOrderWindowMs
        let now = options.clock()
        var lowerBound = policy.oldestMs ?? .min
        if let age = policy.maxAgeMs { lowerBound = max(lowerBound, now.subtractingReportingOverflow(age).partialValue) }
        let ahead = now.addingReportingOverflow(options.futureToleranceMs)
        let upperBound = ahead.overflow ? Int64.max : ahead.partialValue
        // The series validation looked up, by sample, so applying does not look them up again.
        var looked: [SeriesHandle?] = []
        var ticket: UInt64 = 0
        var validatedStored = -1
        if policy.allOrNothing {
            var stored: [Int] = []
            let verdict = validate(batch, windowMs: window, bounds: lowerBound...max(lowerBound, upperBound), looked: &looked, stored: &stored)
            if verdict.rejected > 0 {
                record(verdict)
                return (AppendResult(summary: verdict), 0)
            }
            // Validation decided every sample, so the WAL records are enqueued (and their sync started) before
            // the head changes: applying overlaps the sync (+7 % remote-write ingest, docs/performance.md).
            // Log order still equals apply order: this actor does both.
            ticket = logValidated(batch, looked: looked, stored: stored)
            validatedStored = stored.count
        }
        let logged = validatedStored >= 0
        var summary = AppendSummary()
        var refs: [StableID: SeriesRef] = [:]
        var newSeries: [(id: StableID, labels: Labels)] = []
        var accepted = RefSampleRecord(capacity: logged ? 0 : batch.count)
        var range = headRange ?? (.max, .min)
        let handles = resolveSeries(batch, looked: looked, logging: !logged, newSeries: &newSeries)
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let handle = handles[index]
            // Once per run of one series' samples.
            if index == 0 || batch.seriesIDs[index - 1] != id {
                if handle.series.ref != batch.hints[index] { refs[id] = handle.series.ref }
                let epoch = persistEpoch
                let cursor = persistCursor
                handle.with { $0.seal(at: epoch, cursor: cursor) }
            }
            let timestamp = batch.timestamps[index]
            if timestamp < lowerBound {
                summary.reject(.outOfBounds)
                continue
            }
            if timestamp > upperBound {
                summary.reject(.tooFarInFuture)
                continue
            }
            // A sample a block may hold: checked there — a late one, or any when the head knows nothing of the series
            // yet (after a restart every series starts empty), so a resend is a duplicate, not a second copy. A
            // series the head knows keeps its newest timestamp across persists: nothing newer is in a block.
            if timestamp <= lastPersistedMax,
               handle.series.lastTimestamp == .min || (timestamp < handle.series.lastTimestamp && handle.series.withinWindow(timestamp, windowMs: window)),
               let stored = persistedValue(id, timestamp) {
                if stored.bitPattern == batch.values[index].bitPattern { summary.duplicates += 1 } else { summary.reject(.conflict) }
                continue
            }
            let sample = Sample(timestamp, batch.values[index])
            switch handle.with({ $0.append(sample, windowMs: window) }) {
            case .appended, .outOfOrder:
                if !logged { accepted.add(id, handle, timestamp, batch.values[index], epoch: persistEpoch) }
                summary.stored += 1
                range = (min(range.0, timestamp), max(range.1, timestamp))
            case .duplicate: summary.duplicates += 1
            case .conflict: summary.reject(.conflict)
            case .tooOld: summary.reject(.tooOld)
            }
        }
        if summary.stored > 0 {
            headRange = range
            newestAppended = max(newestAppended, range.1)
        }
        assert(validatedStored < 0 || validatedStored == summary.stored, "apply stored other samples than validation logged")
        if !logged {
            if !newSeries.isEmpty { ticket = wal.enqueue(WALRecord.encodeSeries(newSeries)) }
            if accepted.count > 0 { ticket = wal.enqueue(accepted.bytes) }
        }
        record(summary)
        if headIsDue {
            if options.automaticPersist { schedulePersist() } else { dueSignal.yield() }
        }
        return (AppendResult(summary: summary, refs: refs), ticket)
    }

    /// Enqueues the WAL records of a validated batch — the series not in the head yet (first occurrence,
    /// with labels), then exactly the samples validation would store, which `apply` then stores — and
    /// starts their sync.
    private func logValidated(_ batch: SampleBatch, looked: [SeriesHandle?], stored: [Int]) -> UInt64 {
        var ticket: UInt64 = 0
        if !batch.labels.isEmpty {
            var newSeries: [(id: StableID, labels: Labels)] = []
            var seen = Set<StableID>()
            for index in 0..<batch.count where looked[index] == nil {
                let id = batch.seriesIDs[index]
                if let labels = batch.labels[id], !labels.isEmpty, seen.insert(id).inserted { newSeries.append((id, labels)) }
            }
            if !newSeries.isEmpty { ticket = wal.enqueue(WALRecord.encodeSeries(newSeries)) }
        }
        if !stored.isEmpty {
            var record = RefSampleRecord(capacity: stored.count)
            for index in stored {
                record.add(batch.seriesIDs[index], looked[index], batch.timestamps[index], batch.values[index], epoch: persistEpoch)
            }
            ticket = wal.enqueue(record.bytes)
        }
        if ticket > 0 { wal.startFlush() }
        return ticket
    }

    /// Applies a logged batch while opening (every logged sample was accepted once).
    /// Returns how many logged samples were skipped because a block already holds them.
    private static func replay(_ batch: SampleBatch, into head: SeriesTable, range: inout (min: Int64, max: Int64)?,
                               persisted: inout PersistedSamples) -> Int {
        var skipped = 0
        var current: (id: StableID, series: MemSeries)?
        var low = range?.min ?? .max
        var high = range?.max ?? .min
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let series: MemSeries
            if let current, current.id == id {
                series = current.series
            } else if let existing = head[id] {
                series = existing
            } else {
                series = MemSeries(id: id)
                head[id] = series
            }
            current = (id, series)
            let timestamp = batch.timestamps[index]
            if persisted.contains(id, timestamp) {
                skipped += 1
                continue
            }
            _ = series.append(Sample(timestamp, batch.values[index]), windowMs: .max)
            low = min(low, timestamp)
            high = max(high, timestamp)
        }
        if low <= high { range = (low, high) }
        return skipped
    }

    private func record(_ summary: AppendSummary) {
        totals.stored += summary.stored
        totals.duplicates += summary.duplicates
        totals.conflicts += summary.conflicts
        totals.tooOld += summary.tooOld
        totals.outOfBounds += summary.outOfBounds
        totals.tooFarInFuture += summary.tooFarInFuture
    }

    /// Where retention and the choice of resolution measure from: the clock, or the newest sample stored when
    /// that is earlier (as Prometheus measures retention from its newest block, so a server that was down or
    /// a store of old data does not expire what it just wrote). A sample cannot be stored more than
    /// `futureToleranceMs` ahead of the clock, so no tenant can move this point forward.
    var referenceMs: Int64 { min(options.clock(), newestAppended) }

    /// The labels registered for `series`, if any.
    public func labels(of series: StableID) -> Labels? {
        labelIndex.labels(of: series)
    }

    /// Number of series in the head.
    public var seriesCount: Int { head.count }

    /// Bytes held by chunks in the head (closed and open).
    public var chunkBytes: Int {
        head.reduce(0) { total, entry in
            total + entry.1.chunks.reduce(0) { $0 + $1.bytes.count } + (entry.1.open?.byteCount ?? 0)
        }
    }
}

/// What an append did, and the refs of series the batch named without a valid hint.
public struct AppendResult: Sendable {
    /// A result.
    public init(summary: AppendSummary, refs: [StableID: SeriesRef] = [:]) {
        self.summary = summary
        self.refs = refs
    }

    /// Counts by outcome.
    public var summary: AppendSummary
    /// `SeriesRef` by series, for series whose samples carried no hint or a stale one.
    public var refs: [StableID: SeriesRef] = [:]
}
