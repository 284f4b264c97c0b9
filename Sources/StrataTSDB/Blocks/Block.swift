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
/// The index is held in memory; chunk bytes are read with one `pread` per series when a query needs them.
final class Block: Sendable {
    let directory: String
    let index: BlockIndex
    let resolution: Resolution
    let lookup: [StableID: Int]
    private let chunksFD: Int32

    /// Opens the block in `directory`.
    init(directory: String) throws {
        self.directory = directory
        index = try BlockIndex.decode(try Files.readAll(directory + "/index"))
        guard let resolution = Resolution(milliseconds: index.resolutionMs) else {
            throw ChunkError.corrupt("block resolution \(index.resolutionMs) ms")
        }
        self.resolution = resolution
        var lookup: [StableID: Int] = [:]
        lookup.reserveCapacity(index.entries.count)
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

    /// Whether the block may hold samples within `from...to`.
    func overlaps(_ from: Int64, _ to: Int64) -> Bool { index.maxT >= from && index.minT <= to }

    /// Per column, the samples of the series at `position` within `from...to`; columns not `wanted` (when
    /// given) are left empty and their chunks are not read. A rollup column the block does not store is derived
    /// from `last` (`Rollup.storedColumns`).
    func columns(at position: Int, from: Int64, to: Int64, wanted: Set<Int>? = nil) throws -> [[Sample]] {
        var reading = wanted
        var derived: [RollupColumn] = []
        if resolution != .raw {
            let stored = Set(index.entries[position].chunks.map(\.column))
            derived = RollupColumn.allCases.filter { !stored.contains($0.rawValue) && (wanted?.contains($0.rawValue) ?? true) }
            if !derived.isEmpty { reading?.insert(RollupColumn.last.rawValue) }
        }
        let chunks = index.entries[position].chunks.filter { $0.maxT >= from && $0.minT <= to && (reading?.contains($0.column) ?? true) }
        let columnCount = resolution == .raw ? 1 : RollupColumn.allCases.count
        var result = [[Sample]](repeating: [], count: columnCount)
        guard let start = chunks.map(\.offset).min(), let end = chunks.map({ $0.offset + $0.length }).max() else { return result }
        var bytes = [UInt8](repeating: 0, count: end - start)
        let read = bytes.withUnsafeMutableBytes { pread(chunksFD, $0.baseAddress, end - start, off_t(start)) }
        guard read == end - start else { throw ChunkError.truncated }
        for chunk in chunks {
            guard chunk.column < columnCount else { throw ChunkError.corrupt("column \(chunk.column) in a \(resolution) block") }
            let decoded = try ChunkDecoder.decode(bytes, offset: chunk.offset - start, length: chunk.length)
            if chunk.minT >= from && chunk.maxT <= to {
                result[chunk.column] += decoded
            } else {
                result[chunk.column] += decoded.filter { $0.timestampMs >= from && $0.timestampMs <= to }
            }
        }
        Rollup.derive(derived, in: &result)
        return result
    }

    /// Raw samples of `series` within `from...to`.
    func samples(series: StableID, from: Int64, to: Int64) throws -> [Sample] {
        guard resolution == .raw, overlaps(from, to), let position = lookup[series] else { return [] }
        return try columns(at: position, from: from, to: to)[0]
    }

    /// Rollup buckets of `series` whose newest sample lies within `from...to` (none from a raw block).
    /// Only the `wanted` rollup columns are decoded when given; the others read as NaN.
    func buckets(series: StableID, from: Int64, to: Int64, wanted: Set<Int>? = nil) throws -> [RollupBucket] {
        guard resolution != .raw, overlaps(from, to), let position = lookup[series] else { return [] }
        let columns = try columns(at: position, from: from, to: to, wanted: wanted)
        return try Rollup.buckets(columns: columns, resolutionMs: resolution.milliseconds)
    }
}
