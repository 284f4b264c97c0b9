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

        /// The defaults.
        public init() {}
    }

    let options: Options
    let logger: Logger
    let wal: WriteAheadLog
    var head: [StableID: MemSeries] = [:]
    /// Totals since open, for the server's metrics.
    public private(set) var totals = AppendSummary()

    /// Opens the engine in `directory`, replaying its WAL.
    public init(directory: String, options: Options = Options(), logger: Logger) throws {
        self.options = options
        self.logger = logger
        let walDirectory = directory + "/wal"
        let recovery = try WriteAheadLog.recover(directory: walDirectory, logger: logger)
        var recovered: [StableID: MemSeries] = [:]
        var replayed = 0
        var undecodable = 0
        for payload in recovery.records {
            switch try? WALRecord.decode(payload) {
            case .series(let entries):
                for entry in entries where recovered[entry.id] == nil { recovered[entry.id] = MemSeries(labels: entry.labels) }
            case .samples(let groups):
                for group in groups {
                    for sample in group.samples {
                        let series = recovered[group.seriesID] ?? MemSeries(labels: Labels())
                        recovered[group.seriesID] = series
                        _ = series.append(sample, windowMs: .max)
                        replayed += 1
                    }
                }
            case nil:
                undecodable += 1
            }
        }
        head = recovered
        wal = try WriteAheadLog(directory: walDirectory, segmentSize: options.walSegmentSize, logger: logger)
        logger.info("time-series engine opened", metadata: [
            "series": "\(recovered.count)", "replayedSamples": "\(replayed)", "walRecords": "\(recovery.records.count)",
            "undecodableRecords": "\(undecodable)", "cutBytes": "\(recovery.cutBytes)",
        ])
    }

    @discardableResult
    public func append(_ groups: [SeriesSamples]) async throws -> AppendSummary {
        var summary = AppendSummary()
        var newSeries: [(id: StableID, labels: Labels)] = []
        var accepted: [SeriesSamples] = []
        for group in groups {
            let series: MemSeries
            if let existing = head[group.seriesID] {
                series = existing
            } else {
                let labels = group.labels ?? Labels()
                series = MemSeries(labels: labels)
                head[group.seriesID] = series
                if !labels.isEmpty { newSeries.append((group.seriesID, labels)) }
            }
            var kept: [Sample] = []
            kept.reserveCapacity(group.samples.count)
            for sample in group.samples {
                switch series.append(sample, windowMs: options.outOfOrderWindowMs) {
                case .appended, .outOfOrder:
                    kept.append(sample)
                    summary.stored += 1
                case .duplicate: summary.duplicates += 1
                case .conflict: summary.conflicts += 1
                case .tooOld: summary.tooOld += 1
                }
            }
            if !kept.isEmpty { accepted.append(SeriesSamples(seriesID: group.seriesID, samples: kept)) }
        }
        var ticket: UInt64 = 0
        if !newSeries.isEmpty { ticket = wal.enqueue(WALRecord.series(newSeries).encode()) }
        if !accepted.isEmpty { ticket = wal.enqueue(WALRecord.samples(accepted).encode()) }
        totals.stored += summary.stored
        totals.duplicates += summary.duplicates
        totals.conflicts += summary.conflicts
        totals.tooOld += summary.tooOld
        if ticket > 0 { try await wal.waitUntilDurable(ticket) }
        return summary
    }

    public func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        head[series]?.samples(from: fromMs, to: toMs) ?? []
    }

    /// Number of series in the head.
    public var seriesCount: Int { head.count }

    /// Bytes held by chunks in the head (closed and open).
    public var chunkBytes: Int {
        head.values.reduce(0) { total, series in
            total + series.chunks.reduce(0) { $0 + $1.bytes.count } + (series.open?.byteCount ?? 0)
        }
    }
}
