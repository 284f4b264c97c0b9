import StrataCore

/// What an opened block keeps of its index (`docs/format/blocks.md`): the header, and every series' id, labels and
/// chunk references in a few flat arrays per block — labels as numbers into the block's symbol table, built into
/// `Labels` only when asked (`labels(at:)`).
///
/// Decoding each series into its own label and chunk arrays cost 290 bytes per series at 100k series (two
/// allocations each, the labels a second copy of what the engine's label index holds): 28 MB for a block written
/// from a 100k-series head, alive beside that head's frozen samples, which made it the server's peak.
struct LoadedBlockIndex: Sendable {
    /// 0 for raw samples, else the rollup resolution (60,000 or 3,600,000).
    var resolutionMs: Int64
    /// For a raw block: whether rollup blocks hold its samples' buckets (`BlockIndex.rolledUp`).
    var rolledUp: Bool
    var minT: Int64
    var maxT: Int64
    var samples: Int
    /// Series ids in index order (ascending).
    private(set) var ids: [StableID] = []
    /// Every label name and value once.
    private var symbols: [String] = []
    /// Symbol numbers, name then value, of every series' labels in index order.
    private var labelNumbers: [UInt32] = []
    /// Where each series' labels start in `labelNumbers` (in labels), and the end after the last.
    private var labelStarts: [UInt32] = [0]
    /// Every series' chunk references in one array, in index order: a query reading series in id order walks it
    /// forwards instead of following a pointer per series.
    private var chunkRefs: [ChunkRef] = []
    /// Where each series' references start in `chunkRefs`, and the end after the last.
    private var chunkStarts: [Int32] = [0]

    /// Series in the block.
    var count: Int { ids.count }

    /// The labels of the series at `position`.
    func labels(at position: Int) -> Labels {
        let start = Int(labelStarts[position]), end = Int(labelStarts[position + 1])
        var pairs: [Label] = []
        pairs.reserveCapacity(end - start)
        for label in start..<end {
            pairs.append(Label(symbols[Int(labelNumbers[2 * label])], symbols[Int(labelNumbers[2 * label + 1])]))
        }
        return Labels(pairs)
    }

    /// Where the chunk references of the series at `position` lie in `chunkRefs`.
    private func chunkRange(at position: Int) -> Range<Int> { Int(chunkStarts[position])..<Int(chunkStarts[position + 1]) }

    /// The chunk references of the series at `position`.
    func chunkRefs(at position: Int) -> ArraySlice<ChunkRef> { chunkRefs[chunkRange(at: position)] }

    /// Calls `body` with the chunk references of the series at `position`, without copying them.
    func withChunkRefs<Result>(at position: Int, _ body: (UnsafeBufferPointer<ChunkRef>.SubSequence) throws(ChunkError) -> Result)
        throws(ChunkError) -> Result {
        let range = chunkRange(at: position)
        return try chunkRefs.withUnsafeBufferPointer { refs throws(ChunkError) in try body(refs[range]) }
    }

    /// Every series as a `BlockIndex` entry (tests, and `BlockIndex.decode`).
    var entries: [BlockIndex.Entry] {
        ids.indices.map { BlockIndex.Entry(id: ids[$0], labels: labels(at: $0), chunks: Array(chunkRefs(at: $0))) }
    }

    /// Reads an index file's bytes, checking its magic, version and checksum.
    init(_ bytes: [UInt8]) throws(ChunkError) {
        guard bytes.count >= 9, Array(bytes[0..<4]) == BlockIndex.magic else { throw .corrupt("block index magic") }
        let body = bytes[0..<(bytes.count - 4)]
        guard WALFraming.crc(body) == WALFraming.readU32(bytes, bytes.count - 4) else { throw .corrupt("block index checksum") }
        guard (2...BlockIndex.version).contains(bytes[4]) else { throw .corrupt("block index version \(bytes[4])") }
        let hasColumns = bytes[4] >= 3
        var reader = BinaryReader(Array(body.dropFirst(5)))
        do {
            resolutionMs = hasColumns ? Int64(truncatingIfNeeded: try reader.readUVarint("resolution")) : 0
            // v3 raw blocks were written with their rollups; v2 blocks predate rollups, so theirs are still to write.
            rolledUp = bytes[4] >= 4 ? try reader.readByte("flags") & 1 == 1 : bytes[4] >= 3
            minT = try reader.readVarint("minT")
            maxT = try reader.readVarint("maxT")
            // Clamped: a count past Int.max (damage) must not turn negative in totals.
            samples = Int(clamping: try reader.readUVarint("samples"))
            let symbolCount = try reader.readCount("symbols")
            guard symbolCount <= Int(UInt32.max) else { throw ChunkError.corrupt("block index: \(symbolCount) symbols") }
            symbols.reserveCapacity(symbolCount)
            for _ in 0..<symbolCount { symbols.append(try reader.readString("symbol")) }
            let seriesCount = try reader.readCount("series", minimumElementSize: 3)
            ids.reserveCapacity(seriesCount)
            // A first pass counts labels and chunks so each array is allocated once at its size: grown by doubling, a
            // 100k-series block's arrays took up to twice their size, and three times while copying.
            var counting = reader
            var (labelCount, chunkCount) = (0, 0)
            for _ in 0..<seriesCount {
                _ = try counting.readUVarint("id")
                let labels = try counting.readCount("labels", minimumElementSize: 2)
                for _ in 0..<(2 * labels) { _ = try counting.readUVarint("label symbol") }
                let chunks = try counting.readCount("chunks", minimumElementSize: 4)
                for _ in 0..<(chunks * (hasColumns ? 5 : 4)) { _ = try counting.readUVarint("chunk field") }
                labelCount += labels
                chunkCount += chunks
            }
            labelNumbers.reserveCapacity(2 * labelCount)
            chunkRefs.reserveCapacity(chunkCount)
            labelStarts.reserveCapacity(seriesCount + 1)
            chunkStarts.reserveCapacity(seriesCount + 1)
            for _ in 0..<seriesCount {
                ids.append(StableID(rawValue: try reader.readUVarint("id")))
                for _ in 0..<(try reader.readCount("labels", minimumElementSize: 2)) {
                    labelNumbers.append(try Self.symbolNumber(&reader, below: symbolCount, "label name"))
                    labelNumbers.append(try Self.symbolNumber(&reader, below: symbolCount, "label value"))
                }
                for _ in 0..<(try reader.readCount("chunks", minimumElementSize: 4)) {
                    let column = hasColumns ? Int(truncatingIfNeeded: try reader.readUVarint("column")) : 0
                    let chunkMin = try reader.readVarint("chunk minT")
                    let span = Int64(bitPattern: try reader.readUVarint("chunk span"))
                    chunkRefs.append(ChunkRef(column: column, minT: chunkMin, maxT: chunkMin &+ span,
                                              offset: Int(truncatingIfNeeded: try reader.readUVarint("offset")),
                                              length: Int(truncatingIfNeeded: try reader.readUVarint("length"))))
                }
                // Each label takes at least 2 bytes and each chunk 4 of an index read whole into memory, so neither
                // count can pass these bounds before memory runs out; checked rather than trapped.
                guard labelNumbers.count / 2 <= Int(UInt32.max), chunkRefs.count <= Int(Int32.max) else {
                    throw ChunkError.corrupt("block index: too many labels or chunks")
                }
                labelStarts.append(UInt32(labelNumbers.count / 2))
                chunkStarts.append(Int32(chunkRefs.count))
            }
        } catch let error as ChunkError {
            throw error
        } catch {
            throw .corrupt("block index: \(error)")
        }
    }

    private static func symbolNumber(_ reader: inout BinaryReader, below count: Int, _ what: String) throws(DecodeError) -> UInt32 {
        let number = try reader.readUVarint(what)
        guard number < UInt64(count) else { throw .invalidValue(field: what, reason: "symbol \(number) out of range") }
        return UInt32(truncatingIfNeeded: number)
    }
}
