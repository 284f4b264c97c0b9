import Logging
import StrataCore

extension TimeSeriesEngine {
    /// Writes every sample in the head as a raw block plus its 1 min and 1 h rollup blocks, in one
    /// transaction, and drops the WAL segments the blocks made redundant. Only taking the samples out (freezing
    /// them) happens on the actor; the blocks are written on a storage thread while appends and queries go on —
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

    /// Writes the frozen samples as blocks on the storage thread (`BackgroundThreads.storage`), then installs
    /// the blocks and drops the WAL segments below the freeze's cut, or, if writing failed before the blocks
    /// were committed, gives the samples back to the head. Once committed, the persist counts as done, even if
    /// a block then fails to open (it is logged and left in place): writing the samples again would store them
    /// twice.
    private func complete(_ frozen: FrozenHead) async throws {
        defer { persisting = nil }
        let root = blocksDirectory
        let committed: [String]
        do {
            committed = try await BackgroundThreads.storage.run { try Self.writeBlocks(frozen.series, root: root) }
        } catch {
            for entry in frozen.series { head[entry.id]?.thaw() }
            if let range = frozen.range { headRange = headRange.map { (min($0.min, range.min), max($0.max, range.max)) } ?? range }
            throw error
        }
        let opened = try await BackgroundThreads.storage.run { () -> [Result<Block, any Error>] in
            committed.map { path in Result { try Block(directory: path) } }
        }
        var written: [Block] = []
        for (path, result) in zip(committed, opened) {
            switch result {
            case .success(let block): written.append(block)
            case .failure(let error):
                logger.error("a persisted block cannot be opened; it is left in place and not queried", metadata: [
                    "block": "\(path)", "error": "\(error)",
                ])
            }
        }
        for block in written { blocks[block.resolution, default: []].append(block) }
        for entry in frozen.series { head[entry.id]?.releaseFrozen() }
        lastPersistedMax = max(lastPersistedMax, frozen.range?.max ?? .min)
        // Unlinking and syncing the directory took 66 ms at 100k series on the actor; the segments are no longer
        // needed by anyone, so it happens on the storage thread.
        let wal = self.wal
        let cut = frozen.walCut
        _ = try? await BackgroundThreads.storage.run { wal.removeSegments(below: cut) }
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

    /// Starts a new WAL segment, then freezes every series holding samples; nil when the head holds none.
    /// The cut comes first: if it fails, the head is untouched. Nothing suspends between the two, so the
    /// records below the cut are exactly those of the frozen samples.
    func freezeHead() throws -> FrozenHead? {
        guard head.contains(where: { $0.1.holdsSamples }) else { return nil }
        let cut = try wal.cut()
        var series: [(id: StableID, labels: Labels, samples: FrozenSamples)] = []
        series.reserveCapacity(head.count)
        for (id, memSeries) in head where memSeries.holdsSamples { series.append((id, memSeries.labels, memSeries.freeze())) }
        let range = headRange
        headRange = nil
        return FrozenHead(series: series, range: range, walCut: cut)
    }

    /// Writes the raw, 1 min and 1 h blocks of frozen series (streamed one series at a time) in one
    /// transaction; returns their directories once committed.
    static func writeBlocks(_ unsorted: [(id: StableID, labels: Labels, samples: FrozenSamples)], root: String) throws -> [String] {
        // Sorted here, off the actor: blocks list their series by id.
        let series = unsorted.sorted { $0.id < $1.id }
        var transaction = try BlockTransaction(root: root)
        let paths: [String]
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
            paths = [try transaction.stage(&raw), try transaction.stage(&minute), try transaction.stage(&hour)].compactMap { $0 }
        } catch {
            transaction.abandon()
            throw error
        }
        do {
            try transaction.commit()
        } catch {
            // Not committed: nothing happened. Committed but not applied: the next open finishes it, so the
            // samples are safe in the plan; abandoning would delete it, retrying would store them twice.
            guard transaction.isCommitted else {
                transaction.abandon()
                throw error
            }
            return []
        }
        return paths
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
