import Logging
import StrataCore

extension TimeSeriesEngine {
    /// Writes every sample in the head as a raw block plus its 1 min and 1 h rollup blocks, in one
    /// transaction; empties the head's chunks (series keep their labels and newest timestamp, so the
    /// out-of-order rule holds across blocks) and drops the WAL segments the blocks made redundant.
    /// Series are streamed one at a time, so persisting never holds the head twice in memory.
    /// Called on graceful shutdown and when the head spans a block's duration.
    public func persistHead() throws {
        lastPersistedMax = max(lastPersistedMax, headRange?.max ?? .min)
        headRange = nil
        var ids: [StableID] = []
        ids.reserveCapacity(head.count)
        for (id, series) in head where series.holdsSamples { ids.append(id) }
        guard !ids.isEmpty else { return }
        ids.sort()
        var transaction = try BlockTransaction(root: blocksDirectory)
        do {
            var raw = try transaction.writer(.raw)
            var minute = try transaction.writer(.minute)
            var hour = try transaction.writer(.hour)
            for id in ids {
                let series = head[id]!
                let samples = series.samples(from: .min, to: .max)
                try raw.add(id: id, labels: series.labels, columns: [samples])
                try minute.add(id: id, labels: series.labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.minute.milliseconds)))
                try hour.add(id: id, labels: series.labels, columns: Rollup.columns(Rollup.buckets(samples, resolutionMs: Resolution.hour.milliseconds)))
            }
            let paths = [try transaction.stage(&raw), try transaction.stage(&minute), try transaction.stage(&hour)].compactMap { $0 }
            try transaction.commit()
            for path in paths {
                let block = try Block(directory: path)
                blocks[block.resolution, default: []].append(block)
            }
        } catch {
            transaction.abandon()
            throw error
        }
        for (_, series) in head { series.dropSamples() }
        let next = try wal.cut()
        wal.removeSegments(below: next)
        let persisted = blocks[.raw]!.last!
        logger.info("head persisted as a block", metadata: [
            "block": "\(persisted.directory)", "series": "\(ids.count)", "samples": "\(persisted.index.samples)",
        ])
    }

    /// Persists the head; call before the process exits.
    public func close() throws {
        try persistHead()
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
