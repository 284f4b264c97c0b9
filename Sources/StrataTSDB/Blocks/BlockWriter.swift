#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// Writes one block into a directory, series by series, without holding the block in memory.
///
/// Series must be added in ascending id order. Each series' chunks are written contiguously, column after
/// column, so a reader fetches a series with one `pread`. `finish` writes the index and fsyncs; making the
/// block visible (renaming it into place) is the caller's business (`BlockTransaction`).
struct BlockWriter {
    let directory: String
    let resolutionMs: Int64
    /// For a raw block: whether its rollups are written too (see `BlockIndex.rolledUp`).
    var rolledUp = true
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var offset = 0
    private var entries: [BlockIndex.Entry] = []
    private var minT = Int64.max
    private var maxT = Int64.min
    private var samples = 0
    private var lastID: StableID?

    /// Creates `directory` and its `chunks` file.
    init(directory: String, resolution: Resolution) throws(StorageIOError) {
        self.directory = directory
        resolutionMs = resolution.milliseconds
        try Files.makeDirectory(directory)
        fd = open(directory + "/chunks", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(directory)/chunks", code: errno) }
        buffer.reserveCapacity(1 << 20)
    }

    /// Whether nothing has been added.
    var isEmpty: Bool { entries.isEmpty }

    /// Adds one series: its columns (one for raw blocks, five for rollups), each sorted with unique
    /// timestamps, all with the same timestamps; an empty column is not stored (a rollup column derived from
    /// `last` when read, `Rollup.storedColumns`).
    mutating func add(id: StableID, labels: Labels, columns: [[Sample]]) throws(StorageIOError) {
        guard let first = columns.first(where: { !$0.isEmpty }) else { return }
        precondition(lastID.map { $0 < id } ?? true, "series must be added in ascending id order")
        lastID = id
        var refs: [ChunkRef] = []
        for (column, samples) in columns.enumerated() {
            var open: ChunkAppender?
            // Samples before `end` are in chunks written or in `open`; a chunk holds the `count` samples before it.
            var end = 0
            func flush(_ chunk: ChunkAppender) {
                // The same samples packed (`PackedChunk`) when that is smaller: the appender's streaming encoding
                // cannot know a chunk's delta range or regular step in advance.
                let streamed = chunk.bytes
                let packed = PackedChunk.encode(samples[(end - chunk.count)..<end])
                let bytes = packed.map { $0.count < streamed.count ? $0 : streamed } ?? streamed
                refs.append(ChunkRef(column: column, minT: chunk.firstTimestamp, maxT: chunk.lastTimestamp, offset: offset, length: bytes.count))
                buffer += bytes
                offset += bytes.count
            }
            for sample in samples {
                ChunkAppender.append(sample.timestampMs, sample.value, to: &open, capacity: ChunkAppender.maxBlockSamples, close: flush)
                end += 1
            }
            if let last = open { flush(last) }
        }
        minT = min(minT, first.first!.timestampMs)
        maxT = max(maxT, first.last!.timestampMs)
        samples += first.count
        entries.append(BlockIndex.Entry(id: id, labels: labels, chunks: refs))
        if buffer.count >= 1 << 20 { try drain() }
    }

    private mutating func drain() throws(StorageIOError) {
        try Files.writeAll(fd, buffer, path: directory + "/chunks")
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the index and fsyncs the block. Returns nil (and removes the directory) when it is empty.
    mutating func finish() throws(StorageIOError) -> BlockIndex? {
        defer { close(fd) }
        guard !entries.isEmpty else {
            Files.removeTree(directory)
            return nil
        }
        try drain()
        guard fsync(fd) == 0 else { throw StorageIOError(operation: "fsync \(directory)/chunks", code: errno) }
        let index = BlockIndex(resolutionMs: resolutionMs, rolledUp: rolledUp, minT: minT, maxT: maxT, samples: samples, entries: entries)
        try Files.writeSynced(directory + "/index", index.encode())
        Files.syncDirectory(directory)
        return index
    }
}
