#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// An immutable persisted block: a directory with a `chunks` file and an `index` (`docs/format/blocks.md`).
///
/// The index is held in memory; chunk bytes are read with `pread` when a query needs them.
final class Block: Sendable {
    let directory: String
    let index: BlockIndex
    let lookup: [StableID: Int]
    private let chunksFD: Int32

    /// Opens the block in `directory`.
    init(directory: String) throws {
        self.directory = directory
        index = try BlockIndex.decode(try Files.readAll(directory + "/index"))
        var lookup: [StableID: Int] = [:]
        for (position, entry) in index.entries.enumerated() { lookup[entry.id] = position }
        self.lookup = lookup
        chunksFD = open(directory + "/chunks", O_RDONLY | O_CLOEXEC)
        guard chunksFD >= 0 else { throw StorageIOError(operation: "open \(directory)/chunks", code: errno) }
    }

    deinit { close(chunksFD) }

    /// Bytes on disk (chunks + index).
    var sizeOnDisk: Int {
        var total = 0
        for name in ["chunks", "index"] {
            var info = stat()
            if stat(directory + "/" + name, &info) == 0 { total += Int(info.st_size) }
        }
        return total
    }

    /// Samples of `series` within `from...to`.
    func samples(series: StableID, from: Int64, to: Int64) throws -> [Sample] {
        guard index.maxT >= from, index.minT <= to, let position = lookup[series] else { return [] }
        var result: [Sample] = []
        for chunk in index.entries[position].chunks where chunk.maxT >= from && chunk.minT <= to {
            var bytes = [UInt8](repeating: 0, count: chunk.length)
            let read = bytes.withUnsafeMutableBytes { pread(chunksFD, $0.baseAddress, chunk.length, off_t(chunk.offset)) }
            guard read == chunk.length else { throw ChunkError.truncated }
            result += try ChunkDecoder.decode(bytes).filter { $0.timestampMs >= from && $0.timestampMs <= to }
        }
        return result
    }

    /// Writes a block from per-series samples (each sorted, unique timestamps) and returns its directory.
    /// The block is written under a temporary name, fsynced, then renamed into place.
    static func write(into parent: String, series: [(id: StableID, labels: Labels, samples: [Sample])]) throws -> String {
        var chunkFile: [UInt8] = []
        var entries: [BlockIndex.Entry] = []
        var minT = Int64.max
        var maxT = Int64.min
        var total = 0
        for item in series where !item.samples.isEmpty {
            var refs: [ChunkRef] = []
            var open: ChunkAppender?
            func flush(_ chunk: ChunkAppender) {
                let bytes = chunk.bytes
                refs.append(ChunkRef(minT: chunk.firstTimestamp, maxT: chunk.lastTimestamp, offset: chunkFile.count, length: bytes.count))
                chunkFile += bytes
            }
            for sample in item.samples {
                ChunkAppender.append(sample.timestampMs, sample.value, to: &open, close: flush)
            }
            if let last = open { flush(last) }
            minT = min(minT, item.samples.first!.timestampMs)
            maxT = max(maxT, item.samples.last!.timestampMs)
            total += item.samples.count
            entries.append(BlockIndex.Entry(id: item.id, labels: item.labels, chunks: refs))
        }
        entries.sort { $0.id < $1.id }
        let index = BlockIndex(minT: minT, maxT: maxT, samples: total, entries: entries)
        var generator = SystemRandomNumberGenerator()
        let name = "\(minT)-\(maxT)-\(StableID(rawValue: generator.next()))"
        let temporary = parent + "/." + name + ".tmp"
        try Files.makeDirectory(temporary)
        try writeSynced(temporary + "/chunks", chunkFile)
        try writeSynced(temporary + "/index", index.encode())
        Files.syncDirectory(temporary)
        guard rename(temporary, parent + "/" + name) == 0 else { throw StorageIOError(operation: "rename block \(name)", code: errno) }
        Files.syncDirectory(parent)
        return parent + "/" + name
    }

    private static func writeSynced(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        try Files.writeAll(fd, bytes, path: path)
        guard fsync(fd) == 0 else { throw StorageIOError(operation: "fsync \(path)", code: errno) }
    }
}
