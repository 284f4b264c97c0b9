#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// An immutable persisted block of one resolution: a directory with a `chunks` file and an `index`
/// (`docs/format/blocks.md`). Raw blocks hold one column (the samples); rollup blocks five (min, max,
/// sum, count, last per bucket).
///
/// The index is held in memory; the chunks file is mapped read-only and decoded in place when a query needs a
/// series (a `pread` and two copies per series and block took a fifth of a 100k-series `rate`).
// @unchecked: the mapping is read-only and never changes. Blocks are written in staging, renamed into place and
// never modified (a rewrite writes a new directory), so the mapped file cannot shrink under a reader; a deleted
// block's file stays readable until the last query holding the block lets go of it (`deinit` unmaps).
final class Block: @unchecked Sendable {
    let directory: String
    /// The index: header, series ids, labels and chunk references.
    let index: LoadedBlockIndex
    let resolution: Resolution
    let lookup: SeriesPositions
    /// The chunks file, mapped (empty for an empty file).
    private let chunks: UnsafeRawBufferPointer

    /// Opens the block in `directory`.
    init(directory: String) throws {
        self.directory = directory
        let index = try LoadedBlockIndex(try Files.readAll(directory + "/index"))
        guard let resolution = Resolution(milliseconds: index.resolutionMs) else {
            throw ChunkError.corrupt("block resolution \(index.resolutionMs) ms")
        }
        self.index = index
        self.resolution = resolution
        lookup = SeriesPositions(index.ids)
        chunks = try Self.map(directory + "/chunks")
    }

    /// The chunk references of the series at `position`.
    func chunkRefs(at position: Int) -> ArraySlice<ChunkRef> {
        index.chunkRefs(at: position)
    }

    deinit {
        if let base = chunks.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), chunks.count) }
    }

    /// `path` mapped read-only, whole.
    private static func map(_ path: String) throws -> UnsafeRawBufferPointer {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StorageIOError(operation: "open \(path)", code: errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StorageIOError(operation: "stat \(path)", code: errno) }
        let size = Int(info.st_size)
        guard size > 0 else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        guard let base = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw StorageIOError(operation: "mmap \(path)", code: errno)
        }
        return UnsafeRawBufferPointer(start: base, count: size)
    }

    /// The bytes of `chunk`, checked against the file's size.
    private func bytes(of chunk: ChunkRef) throws(ChunkError) -> UnsafeRawBufferPointer {
        guard chunk.offset >= 0, chunk.length >= 0, chunk.length <= chunks.count &- chunk.offset else { throw .truncated }
        return UnsafeRawBufferPointer(rebasing: chunks[chunk.offset..<chunk.offset + chunk.length])
    }

    /// Bytes on disk (chunks + index).
    var sizeOnDisk: Int {
        var total = 0
        for name in ["chunks", "index"] {
            var info = stat()
            if stat(directory + "/" + name, &info) == 0 { total += Int(info.st_size) }
        }
        return total
    }

    /// Whether the block may hold samples within `from...to`.
    func overlaps(_ from: Int64, _ to: Int64) -> Bool { index.maxT >= from && index.minT <= to }

    /// Per column, the samples of the series at `position` within `from...to`; columns not `wanted` (when
    /// given) are left empty and their chunks are not read. A rollup column the block does not store is derived
    /// from `last` (`Rollup.storedColumns`).
    func columns(at position: Int, from: Int64, to: Int64, wanted: Set<Int>? = nil) throws -> [[Sample]] {
        var reading = wanted
        var derived: [RollupColumn] = []
        if resolution != .raw {
            let stored = Set(chunkRefs(at: position).map(\.column))
            derived = RollupColumn.allCases.filter { !stored.contains($0.rawValue) && (wanted?.contains($0.rawValue) ?? true) }
            if !derived.isEmpty { reading?.insert(RollupColumn.last.rawValue) }
        }
        let selected = chunkRefs(at: position).filter { $0.maxT >= from && $0.minT <= to && (reading?.contains($0.column) ?? true) }
        let columnCount = resolution == .raw ? 1 : RollupColumn.allCases.count
        var result = [[Sample]](repeating: [], count: columnCount)
        for chunk in selected {
            guard (0..<columnCount).contains(chunk.column) else { throw ChunkError.corrupt("column \(chunk.column) in a \(resolution) block") }
            try ChunkDecoder.append(try bytes(of: chunk), from: from, to: to, into: &result[chunk.column])
        }
        Rollup.derive(derived, in: &result)
        return result
    }

    /// Raw samples of `series` within `from...to`.
    func samples(series: StableID, from: Int64, to: Int64) throws -> [Sample] {
        var samples: [Sample] = []
        try appendSamples(series: series, from: from, to: to, into: &samples)
        return samples
    }

    /// Appends the raw samples of `series` within `from...to` to `samples` (none from a rollup block).
    func appendSamples(series: StableID, from: Int64, to: Int64, into samples: inout [Sample]) throws(ChunkError) {
        guard resolution == .raw, overlaps(from, to), let position = lookup[series] else { return }
        try index.withChunkRefs(at: position) { refs throws(ChunkError) in
            for chunk in refs where chunk.maxT >= from && chunk.minT <= to {
                try ChunkDecoder.append(try bytes(of: chunk), from: from, to: to, into: &samples)
            }
        }
    }

    /// Rollup buckets of `series` whose newest sample lies within `from...to` (none from a raw block).
    /// Only the `wanted` rollup columns are decoded when given; the others read as NaN.
    func buckets(series: StableID, from: Int64, to: Int64, wanted: Set<Int>? = nil) throws -> [RollupBucket] {
        guard resolution != .raw, overlaps(from, to), let position = lookup[series] else { return [] }
        let columns = try columns(at: position, from: from, to: to, wanted: wanted)
        return try Rollup.buckets(columns: columns, resolutionMs: resolution.milliseconds)
    }
}
