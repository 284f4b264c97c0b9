import Logging
import StrataCore

/// Strata's time-series engine: a write-ahead log and an in-memory head of compressed chunks.
///
/// `append` applies samples to the head under the actor's isolation, enqueues one WAL record in that
/// same order, and returns once the record is durable, so an acknowledged sample survives kill -9: on
/// open, the WAL is replayed into the head (a torn tail is cut and logged). Blocks, rollups and
/// retention build on this.
public actor TimeSeriesEngine: SampleStore {
    /// Tunables.
    public struct Options: Sendable {
        /// Samples at most this much older than a series' newest sample are accepted and merged.
        public var outOfOrderWindowMs: Int64 = 3_600_000
        /// WAL segment size.
        public var walSegmentSize = 128 << 20
        /// The head is persisted as a block once the samples it holds span this long.
        public var blockDurationMs: Int64 = 2 * 3_600_000

        /// The defaults.
        public init() {}
    }

    let options: Options
    let logger: Logger
    let wal: WriteAheadLog
    let blocksDirectory: String
    var head = SeriesTable()
    /// Persisted blocks, oldest first.
    var blocks: [Block] = []
    /// Oldest and newest timestamps appended to the head since it was last persisted.
    var headRange: (min: Int64, max: Int64)?
    /// The newest timestamp of the last persisted head. The head is persisted again only once its newest
    /// sample is a block duration past this, so stray old samples cannot make it persist on every append.
    var lastPersistedMax: Int64 = .min
    /// The newest timestamp ever appended (the reference for `AppendPolicy.outOfBoundsMs`).
    var newestAppended: Int64 = .min
    /// Incremented by every `validate`, marking which series' `pendingLast` is current.
    var validationEpoch: UInt64 = 0
    /// Totals since open, for the server's metrics.
    public private(set) var totals = AppendSummary()

    /// Opens the engine in `directory`, replaying its WAL.
    public init(directory: String, options: Options = Options(), logger: Logger) throws {
        self.options = options
        self.logger = logger
        let walDirectory = directory + "/wal"
        blocksDirectory = directory + "/blocks"
        let loaded = try Self.loadBlocks(blocksDirectory, logger: logger)
        var knownLabels: [StableID: Labels] = [:]
        for block in loaded {
            for entry in block.index.entries where !entry.labels.isEmpty { knownLabels[entry.id] = entry.labels }
        }
        let recovery = try WriteAheadLog.recover(directory: walDirectory, logger: logger)
        let recovered = SeriesTable()
        var range: (min: Int64, max: Int64)?
        var replayed = 0
        var undecodable = 0
        for payload in recovery.records {
            switch try? WALRecord.decode(payload) {
            case .series(let entries):
                for entry in entries where recovered[entry.id] == nil { recovered[entry.id] = MemSeries(labels: entry.labels) }
            case .samples(let groups):
                Self.replay(SampleBatch(groups), into: recovered, range: &range, knownLabels: knownLabels)
                replayed += groups.reduce(0) { $0 + $1.samples.count }
            case .flat(let batch):
                Self.replay(batch, into: recovered, range: &range, knownLabels: knownLabels)
                replayed += batch.count
            case nil:
                undecodable += 1
            }
        }
        head = recovered
        headRange = range
        blocks = loaded
        lastPersistedMax = loaded.map(\.index.maxT).max() ?? .min
        newestAppended = max(lastPersistedMax, range?.max ?? .min)
        wal = try WriteAheadLog(directory: walDirectory, segmentSize: options.walSegmentSize, logger: logger)
        logger.info("time-series engine opened", metadata: [
            "series": "\(recovered.count)", "blocks": "\(loaded.count)", "replayedSamples": "\(replayed)", "walRecords": "\(recovery.records.count)",
            "undecodableRecords": "\(undecodable)", "cutBytes": "\(recovery.cutBytes)",
        ])
    }

    @discardableResult
    public func append(_ groups: [SeriesSamples], policy: AppendPolicy) async throws -> AppendSummary {
        try await appendBatch(SampleBatch(groups), policy: policy)
    }

    /// Appends a flat batch durably under `policy`.
    @discardableResult
    public func appendBatch(_ batch: SampleBatch, policy: AppendPolicy) async throws -> AppendSummary {
        let window = policy.outOfOrderWindowMs ?? options.outOfOrderWindowMs
        let lowerBound = policy.outOfBoundsMs.map { newestAppended == .min ? Int64.min : newestAppended &- $0 } ?? .min
        if policy.allOrNothing {
            let verdict = validate(batch, windowMs: window, lowerBound: lowerBound)
            if verdict.rejected > 0 {
                record(verdict)
                return verdict
            }
        }
        var summary = AppendSummary()
        var newSeries: [(id: StableID, labels: Labels)] = []
        var accepted = SampleBatch(capacity: batch.count)
        var current: (id: StableID, series: MemSeries)?
        var range = headRange ?? (.max, .min)
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let series: MemSeries
            if let current, current.id == id {
                series = current.series
            } else if let existing = head[id] {
                series = existing
            } else {
                let labels = batch.labels[id] ?? Labels()
                series = MemSeries(labels: labels)
                head[id] = series
                if !labels.isEmpty { newSeries.append((id, labels)) }
            }
            current = (id, series)
            let timestamp = batch.timestamps[index]
            if timestamp < lowerBound {
                summary.reject(.outOfBounds)
                continue
            }
            switch series.append(Sample(timestamp, batch.values[index]), windowMs: window) {
            case .appended, .outOfOrder:
                accepted.append(id, timestamp, batch.values[index])
                summary.stored += 1
                range = (min(range.0, timestamp), max(range.1, timestamp))
            case .duplicate: summary.duplicates += 1
            case .conflict: summary.reject(.conflict)
            case .tooOld: summary.reject(.tooOld)
            }
        }
        if !accepted.isEmpty {
            headRange = range
            newestAppended = max(newestAppended, range.1)
        }
        var ticket: UInt64 = 0
        if !newSeries.isEmpty { ticket = wal.enqueue(WALRecord.series(newSeries).encode()) }
        if !accepted.isEmpty { ticket = wal.enqueue(WALRecord.flat(accepted).encode()) }
        record(summary)
        if let range = headRange, range.max - range.min >= options.blockDurationMs,
           lastPersistedMax == .min || range.max - lastPersistedMax >= options.blockDurationMs {
            try persistHead()
        }
        if ticket > 0 { try await wal.waitUntilDurable(ticket) }
        return summary
    }

    /// What `append` would do, without changing anything (for all-or-nothing appends).
    func validate(_ batch: SampleBatch, windowMs: Int64, lowerBound: Int64) -> AppendSummary {
        var summary = AppendSummary()
        // Each series carries the newest sample this validation has let through (`pendingLast`), valid for
        // the current epoch only; series not in the head yet are tracked in a small dictionary.
        validationEpoch &+= 1
        let epoch = validationEpoch
        var unknown: [StableID: (timestamp: Int64, bits: UInt64)] = [:]
        var late: [SeriesPoint: UInt64] = [:]
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let timestamp = batch.timestamps[index]
            let bits = batch.values[index].bitPattern
            let series = head[id]
            let last: (timestamp: Int64, bits: UInt64)
            if let series {
                if series.validationEpoch != epoch {
                    series.validationEpoch = epoch
                    series.pendingLast = (series.lastTimestamp, series.lastBits)
                }
                last = series.pendingLast
            } else {
                last = unknown[id] ?? (.min, 0)
            }
            if timestamp < lowerBound {
                summary.reject(.outOfBounds)
            } else if timestamp > last.timestamp {
                if let series { series.pendingLast = (timestamp, bits) } else { unknown[id] = (timestamp, bits) }
                summary.stored += 1
            } else if timestamp == last.timestamp {
                if bits == last.bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if timestamp < last.timestamp &- windowMs {
                summary.reject(.tooOld)
            } else if let stored = series?.storedValue(at: timestamp) {
                if stored.bitPattern == bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if let earlier = late[SeriesPoint(series: id, timestamp: timestamp)] {
                if earlier == bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else {
                late[SeriesPoint(series: id, timestamp: timestamp)] = bits
                summary.stored += 1
            }
        }
        return summary
    }

    /// Applies a logged batch while opening (every logged sample was accepted once).
    private static func replay(_ batch: SampleBatch, into head: SeriesTable, range: inout (min: Int64, max: Int64)?,
                               knownLabels: [StableID: Labels]) {
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let series = head[id] ?? MemSeries(labels: knownLabels[id] ?? Labels())
            head[id] = series
            let timestamp = batch.timestamps[index]
            _ = series.append(Sample(timestamp, batch.values[index]), windowMs: .max)
            range = (min(range?.min ?? .max, timestamp), max(range?.max ?? .min, timestamp))
        }
    }

    private func record(_ summary: AppendSummary) {
        totals.stored += summary.stored
        totals.duplicates += summary.duplicates
        totals.conflicts += summary.conflicts
        totals.tooOld += summary.tooOld
        totals.outOfBounds += summary.outOfBounds
    }

    public func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        var parts: [[Sample]] = []
        for block in blocks {
            let found = try block.samples(series: series, from: fromMs, to: toMs)
            if !found.isEmpty { parts.append(found) }
        }
        if let fresh = head[series]?.samples(from: fromMs, to: toMs), !fresh.isEmpty { parts.append(fresh) }
        return Self.merge(parts)
    }

    /// Merges sorted sample lists; where a timestamp appears twice the earlier list (older block) wins.
    static func merge(_ parts: [[Sample]]) -> [Sample] {
        guard parts.count > 1 else { return parts.first ?? [] }
        var byTime: [Int64: Double] = [:]
        for part in parts {
            for sample in part where byTime[sample.timestampMs] == nil { byTime[sample.timestampMs] = sample.value }
        }
        return byTime.sorted { $0.key < $1.key }.map { Sample($0.key, $0.value) }
    }

    /// Writes every sample in the head to a new block, empties the head's chunks (series keep their labels
    /// and newest timestamp, so the out-of-order rule holds across blocks) and drops the WAL segments the
    /// block made redundant. Called on graceful shutdown and when the head spans a block's duration.
    public func persistHead() throws {
        var series: [(id: StableID, labels: Labels, samples: [Sample])] = []
        for (id, memSeries) in head {
            let samples = memSeries.samples(from: .min, to: .max)
            if !samples.isEmpty { series.append((id, memSeries.labels, samples)) }
        }
        lastPersistedMax = max(lastPersistedMax, headRange?.max ?? .min)
        headRange = nil
        guard !series.isEmpty else { return }
        let directory = try Block.write(into: blocksDirectory, series: series)
        blocks.append(try Block(directory: directory))
        for (_, memSeries) in head { memSeries.dropSamples() }
        let next = try wal.cut()
        wal.removeSegments(below: next)
        logger.info("head persisted as a block", metadata: [
            "block": "\(directory)", "series": "\(series.count)", "samples": "\(blocks.last!.index.samples)",
        ])
    }

    /// Persists the head; call before the process exits.
    public func close() throws {
        try persistHead()
    }

    /// Bytes of all persisted blocks.
    public var blockBytes: Int { blocks.reduce(0) { $0 + $1.sizeOnDisk } }

    /// Samples in all persisted blocks.
    public var blockSamples: Int { blocks.reduce(0) { $0 + $1.index.samples } }

    static func loadBlocks(_ directory: String, logger: Logger) throws -> [Block] {
        try Files.makeDirectory(directory)
        var blocks: [Block] = []
        for name in Files.list(directory) {
            let path = directory + "/" + name
            if name.hasPrefix(".") {
                Files.removeTree(path)
                continue
            }
            do {
                blocks.append(try Block(directory: path))
            } catch {
                logger.error("cannot open block; it is left in place and not queried", metadata: ["block": "\(path)", "error": "\(error)"])
            }
        }
        return blocks.sorted { $0.index.minT < $1.index.minT }
    }

    /// The labels registered for `series`, if any.
    public func labels(of series: StableID) -> Labels? {
        if let labels = head[series]?.labels, !labels.isEmpty { return labels }
        for block in blocks.reversed() {
            if let position = block.lookup[series], !block.index.entries[position].labels.isEmpty {
                return block.index.entries[position].labels
            }
        }
        return nil
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

/// A (series, timestamp) pair.
struct SeriesPoint: Hashable {
    var series: StableID
    var timestamp: Int64
}
