import Logging
import StrataCore

extension TimeSeriesEngine {
    /// Writes every sample in the head as a raw block plus its 1 min and 1 h rollup blocks, in one
    /// transaction, and drops the WAL segments the blocks made redundant. Only taking the samples out (freezing
    /// them) happens on the actor; the blocks are written in a detached task while appends and queries go on —
    /// queries read the frozen samples until the blocks are installed. Series keep their labels and newest
    /// timestamp, so the out-of-order rule holds across blocks. One persist runs at a time; a call while one
    /// runs waits for it, then persists what arrived since. If writing fails, the samples go back to the head
    /// (and stay in the WAL). Called on graceful shutdown and when the head spans a block's duration.
    public func persistHead() async throws {
        // `persisting` includes installing the blocks and is cleared before it completes, so this loop never
        // spins: each wait ends with the persist before it fully done.
        while let running = persisting { _ = try? await running.value }
        // No suspension from here until `persisting` is set: a second caller waits for this persist.
        guard let frozen = try freezeHead() else { return }
        let task = Task { try await self.complete(frozen) }
        persisting = task
        try await task.value
    }

    /// Writes the frozen samples as blocks in a detached task, then installs the blocks and drops the WAL
    /// segments below the freeze, or, if writing failed, gives the samples back to the head.
    private func complete(_ frozen: FrozenHead) async throws {
        defer { persisting = nil }
        let root = blocksDirectory
        let written: [Block]
        do {
            written = try await Task.detached(priority: .utility) { try Self.writeBlocks(frozen.series, root: root) }.value
        } catch {
            for entry in frozen.series { head[entry.id]?.thaw() }
            if let range = frozen.range { headRange = headRange.map { (min($0.min, range.min), max($0.max, range.max)) } ?? range }
            throw error
        }
        for block in written { blocks[block.resolution, default: []].append(block) }
        for entry in frozen.series { head[entry.id]?.releaseFrozen() }
        wal.removeSegments(below: frozen.walCut)
        let persisted = written.first { $0.resolution == .raw }
        logger.info("head persisted as a block", metadata: [
            "block": "\(persisted?.directory ?? "-")", "series": "\(frozen.series.count)", "samples": "\(persisted?.index.samples ?? 0)",
        ])
    }

    /// What a persist takes out of the head: each series' samples, the head's range, and the WAL segment from
    /// which records are newer than the freeze.
    struct FrozenHead: Sendable {
        var series: [(id: StableID, labels: Labels, samples: FrozenSamples)]
        var range: (min: Int64, max: Int64)?
        var walCut: Int
    }

    /// Freezes every series holding samples and starts a new WAL segment; nil when the head holds none.
    func freezeHead() throws -> FrozenHead? {
        var series: [(id: StableID, labels: Labels, samples: FrozenSamples)] = []
        for (id, memSeries) in head where memSeries.holdsSamples { series.append((id, memSeries.labels, memSeries.freeze())) }
        guard !series.isEmpty else { return nil }
        series.sort { $0.id < $1.id }
        let range = headRange
        lastPersistedMax = max(lastPersistedMax, range?.max ?? .min)
        headRange = nil
        // Records enqueued from now on go to the new segment; segments below it hold only frozen samples.
        let cut = try wal.cut()
        return FrozenHead(series: series, range: range, walCut: cut)
    }

    /// Writes the raw, 1 min and 1 h blocks of frozen series (streamed one series at a time) in one
    /// transaction; returns the blocks, opened.
    static func writeBlocks(_ series: [(id: StableID, labels: Labels, samples: FrozenSamples)], root: String) throws -> [Block] {
        var transaction = try BlockTransaction(root: root)
        do {
            var raw = try transaction.writer(.raw)
            var minute = try transaction.writer(.minute)
            var hour = try transaction.writer(.hour)
            for entry in series {
                let samples = entry.samples.samples()
                try raw.add(id: entry.id, labels: entry.labels, columns: [samples])
                try minute.add(id: entry.id, labels: entry.labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.minute.milliseconds)))
                try hour.add(id: entry.id, labels: entry.labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.hour.milliseconds)))
            }
            let paths = [try transaction.stage(&raw), try transaction.stage(&minute), try transaction.stage(&hour)].compactMap { $0 }
            try transaction.commit()
            return try paths.map { try Block(directory: $0) }
        } catch {
            transaction.abandon()
            throw error
        }
    }

    /// Persists the head (after any persist already running); call before the process exits.
    public func close() async throws {
        try await persistHead()
    }

    /// Bytes of all persisted blocks of `resolution` (all resolutions when nil).
    public func blockBytes(_ resolution: Resolution? = nil) -> Int {
        blocks.filter { resolution == nil || $0.key == resolution }.values.joined().reduce(0) { $0 + $1.sizeOnDisk }
    }

    /// Bytes of all persisted raw blocks.
    public var blockBytes: Int { blockBytes(.raw) }

    /// Raw samples in all persisted blocks.
    public var blockSamples: Int { (blocks[.raw] ?? []).reduce(0) { $0 + $1.index.samples } }

    /// Number of blocks of `resolution`.
    public func blockCount(_ resolution: Resolution) -> Int { blocks[resolution]?.count ?? 0 }

    /// The value a raw block holds for (`id`, `timestamp`), if any (checked for late samples, so a resend of
    /// a persisted sample is a duplicate, not a second copy).
    func persistedValue(_ id: StableID, _ timestamp: Int64) -> Double? {
        for block in blocks[.raw] ?? [] where block.overlaps(timestamp, timestamp) {
            if let sample = try? block.samples(series: id, from: timestamp, to: timestamp).first { return sample.value }
        }
        return nil
    }

    /// Opens every block under `directory`, per resolution, oldest first. Finishes or drops transactions a
    /// crash interrupted, deletes hidden leftovers, and moves blocks of the old flat layout into `raw/`.
    static func loadBlocks(_ directory: String, logger: Logger) throws -> [Resolution: [Block]] {
        try Files.makeDirectory(directory)
        let recovered = try BlockTransaction.recover(root: directory)
        if recovered.finished + recovered.dropped > 0 {
            logger.notice("block transactions recovered", metadata: ["finished": "\(recovered.finished)", "dropped": "\(recovered.dropped)"])
        }
        let known = Set(Resolution.allCases.map(\.directoryName))
        for name in Files.list(directory) where !known.contains(name) && !name.hasPrefix(".") && Files.exists(directory + "/\(name)/index") {
            try Files.makeDirectory(directory + "/raw")
            try Files.rename(directory + "/" + name, directory + "/raw/" + name)
        }
        var result: [Resolution: [Block]] = [:]
        for resolution in Resolution.allCases {
            let folder = directory + "/" + resolution.directoryName
            try Files.makeDirectory(folder)
            var loaded: [Block] = []
            for name in Files.list(folder) {
                let path = folder + "/" + name
                if name.hasPrefix(".") {
                    Files.removeTree(path)
                    continue
                }
                do {
                    loaded.append(try Block(directory: path))
                } catch {
                    logger.error("cannot open block; it is left in place and not queried", metadata: ["block": "\(path)", "error": "\(error)"])
                }
            }
            result[resolution] = loaded.sorted { $0.index.minT < $1.index.minT }
        }
        return result
    }
}
