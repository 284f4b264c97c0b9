import Logging
import StrataCore

extension TimeSeriesEngine {
    /// Writes every sample in the head as a raw block (its 1 min and 1 h rollups come with maintenance), in one
    /// transaction, and drops the WAL segments the blocks made redundant. Only cutting the WAL and taking the
    /// samples out (sealing them, a slice of series per turn of the actor) happen on the actor; the blocks are
    /// written on a storage thread while appends and queries go on — queries read the sealed samples until the
    /// blocks are installed. Series keep their labels and newest
    /// timestamp, so the out-of-order rule holds across blocks. One persist runs at a time; a call while one
    /// runs waits for it, then persists what arrived since. If writing fails, the samples go back to the head
    /// (and stay in the WAL). Called on graceful shutdown and when the head spans a block's duration.
    public func persistHead() async throws {
        // `persisting` includes installing the blocks and is cleared before it completes, so this loop never
        // spins: each wait ends with the persist before it fully done.
        while let running = persisting { _ = try? await running.value }
        guard let range = headRange else { return }
        let started = ContinuousClock.now
        // The cut comes first (it only queues a rotation; it fails only when the log already has). From here to
        // `persisting` nothing suspends, so the records below the cut are exactly those of the epoch that ends now.
        let cut = try wal.cut()
        persistEpoch &+= 1
        headRange = nil
        let task = Task { try await self.complete(epoch: persistEpoch, range: range, walCut: cut) }
        persisting = task
        try await task.value
        lastPersist = (started, ContinuousClock.now)
    }

    /// Seals every series of the ending epoch in slices (appends run between them, sealing the series they
    /// touch themselves), writes the sealed samples as blocks on the storage thread, then installs the blocks
    /// and drops the WAL segments below the cut; if writing failed before the blocks were committed, the
    /// samples go back to the head. Once committed, the persist counts as done, even if a block then fails to
    /// open (it is logged and left in place): writing the samples again would store them twice.
    private func complete(epoch: UInt32, range: (min: Int64, max: Int64), walCut: Int) async throws {
        defer { persisting = nil }
        var sealed: [MemSeries] = []
        var toWrite: [(id: StableID, labels: Labels, samples: FrozenSamples)] = []
        var start = 0
        while start < head.count {
            let end = min(start + Self.sealSlice, head.count)
            for index in start..<end {
                let series = head.series(atDense: index)
                series.seal(at: epoch, cursor: persistCursor)
                if let frozen = series.frozen {
                    sealed.append(series)
                    toWrite.append((series.id, labelIndex.labels(of: series.id) ?? Labels(), frozen))
                }
            }
            start = end
            await Task.yield()
        }
        let root = blocksDirectory
        let committed: [String]
        do {
            // The cut's rotation runs on the log's queue; if it failed, the samples stay in the head.
            try await wal.waitForCuts()
            guard !toWrite.isEmpty else { return }
            let written = toWrite
            committed = try await BackgroundThreads.storage.run { try Self.writeBlocks(written, root: root) }
        } catch {
            for series in sealed { series.thaw() }
            headRange = headRange.map { (min($0.min, range.min), max($0.max, range.max)) } ?? range
            throw error
        }
        let installed = await open(committed)
        // Installing the blocks and retiring the frozen samples happen in one turn of the actor, so a query sees
        // each sample exactly once: moving the cursor retires every series' frozen samples of this epoch at once.
        for block in installed { blocks[block.resolution, default: []].append(block) }
        persistCursor.installedEpoch = epoch
        lastPersistedMax = max(lastPersistedMax, range.max)
        // Dropping the series' references, a slice per turn; the frozen chunks are still referenced by `toWrite`,
        // which goes to the storage thread, so freeing them (15 M samples at 100k series) happens there.
        for start in stride(from: 0, to: sealed.count, by: Self.sealSlice) {
            for series in sealed[start..<min(start + Self.sealSlice, sealed.count)] { series.releaseFrozen() }
            await Task.yield()
        }
        let garbage = toWrite
        toWrite = []
        _ = try? await BackgroundThreads.storage.run { garbage.count }
        // Unlinking and syncing the directory took 66 ms at 100k series on the actor; the segments are no longer
        // needed by anyone, so it happens on the storage thread.
        let wal = self.wal
        _ = try? await BackgroundThreads.storage.run { wal.removeSegments(below: walCut) }
        let persisted = installed.first { $0.resolution == .raw }
        logger.info("head persisted as a block", metadata: [
            "block": "\(persisted?.directory ?? "-")", "series": "\(sealed.count)", "samples": "\(persisted?.index.samples ?? 0)",
        ])
    }

    /// Series sealed (or released) per turn of the actor while a persist gathers its samples: about 4 ms at
    /// 100k series on this machine, so an append never waits long behind it.
    static let sealSlice = 1_024

    /// Writes the raw block of frozen series (streamed one series at a time), not yet rolled up, in one
    /// transaction; returns its directory once committed.
    static func writeBlocks(_ unsorted: [(id: StableID, labels: Labels, samples: FrozenSamples)], root: String) throws -> [String] {
        // Sorted here, off the actor: blocks list their series by id.
        let series = unsorted.sorted { $0.id < $1.id }
        var transaction = try BlockTransaction(root: root)
        let paths: [String]
        do {
            // Raw only: rollups are written when maintenance compacts or rolls up the block (until then queries at
            // 1 m and 1 h bucket its samples themselves), so recent data is stored once, not three times.
            var raw = try transaction.writer(.raw)
            raw.rolledUp = false
            for entry in series {
                try raw.add(id: entry.id, labels: entry.labels, columns: [entry.samples.samples()])
            }
            paths = [try transaction.stage(&raw)].compactMap { $0 }
        } catch {
            transaction.abandon()
            throw error
        }
        return try BlockRewrites.commit(&transaction, paths)
    }

    /// Persists the head (after any persist already running) and leaves the WAL as small as it can be at rest
    /// (its current segment cut to its records, no prepared segment); call before the process exits.
    public func close() async throws {
        try await persistHead()
        await wal.trim()
    }

    /// Bytes of all persisted blocks of `resolution` (all resolutions when nil).
    public func blockBytes(_ resolution: Resolution? = nil) -> Int {
        blocks.filter { resolution == nil || $0.key == resolution }.values.joined().reduce(0) { $0 + $1.sizeOnDisk }
    }

    /// Bytes of all persisted raw blocks.
    public var blockBytes: Int { blockBytes(.raw) }

    /// Raw samples in all persisted blocks (saturating: the counts come from the blocks' files).
    public var blockSamples: Int {
        (blocks[.raw] ?? []).reduce(0) { total, block in
            let (sum, overflow) = total.addingReportingOverflow(block.index.samples)
            return overflow ? .max : sum
        }
    }

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
