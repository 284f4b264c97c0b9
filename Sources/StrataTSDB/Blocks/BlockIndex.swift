import StrataCore

/// Where one chunk of a series lives in a block's `chunks` file.
struct ChunkRef: Sendable, Equatable {
    /// Which column the chunk holds: 0 for raw blocks; a `RollupColumn` for rollup blocks.
    var column: Int = 0
    var minT: Int64
    var maxT: Int64
    var offset: Int
    var length: Int
}

/// A block's index: every series with its labels and chunk references (`docs/format/blocks.md`).
struct BlockIndex: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var id: StableID
        var labels: Labels
        var chunks: [ChunkRef]
    }

    static let magic: [UInt8] = Array("SIDX".utf8)
    /// 5: a rollup series may leave out columns derived from `last` (a build before 5 would read them as NaN).
    static let version: UInt8 = 5

    /// 0 for raw samples, else the rollup resolution (60,000 or 3,600,000).
    var resolutionMs: Int64 = 0
    /// For a raw block: whether rollup blocks hold its samples' buckets (else queries at 1 m and 1 h bucket its
    /// samples themselves until maintenance rolls it up). Version 3 blocks were written with their rollups;
    /// version 2 blocks predate rollups and read as not rolled up.
    var rolledUp = true
    var minT: Int64
    var maxT: Int64
    var samples: Int
    var entries: [Entry]

    func encode() -> [UInt8] {
        var writer = BinaryWriter(capacity: 64 + entries.count * 48)
        writer.write(raw: Self.magic)
        writer.write(byte: Self.version)
        writer.write(uvarint: UInt64(resolutionMs))
        writer.write(byte: rolledUp ? 1 : 0)
        writer.write(varint: minT)
        writer.write(varint: maxT)
        writer.write(uvarint: UInt64(samples))
        // Symbol table: every label name and value once, sorted; series refer to them by number.
        var symbols = Set<String>()
        for entry in entries {
            for label in entry.labels.pairs {
                symbols.insert(label.name)
                symbols.insert(label.value)
            }
        }
        let sorted = symbols.sorted()
        var numbers: [String: Int] = [:]
        numbers.reserveCapacity(sorted.count)
        writer.write(uvarint: UInt64(sorted.count))
        for (number, symbol) in sorted.enumerated() {
            numbers[symbol] = number
            writer.write(string: symbol)
        }
        writer.write(uvarint: UInt64(entries.count))
        for entry in entries {
            writer.write(uvarint: entry.id.rawValue)
            writer.write(uvarint: UInt64(entry.labels.pairs.count))
            for label in entry.labels.pairs {
                writer.write(uvarint: UInt64(numbers[label.name]!))
                writer.write(uvarint: UInt64(numbers[label.value]!))
            }
            writer.write(uvarint: UInt64(entry.chunks.count))
            for chunk in entry.chunks {
                writer.write(uvarint: UInt64(chunk.column))
                writer.write(varint: chunk.minT)
                writer.write(uvarint: UInt64(chunk.maxT &- chunk.minT))
                writer.write(uvarint: UInt64(chunk.offset))
                writer.write(uvarint: UInt64(chunk.length))
            }
        }
        // Appended through the writer: a copy of its bytes appended to would be a second copy of the index (4.8 MB
        // at 100k series) while a persist already holds the most memory.
        let checksum = WALFraming.crc(writer.bytes[...])
        for shift in stride(from: 0, to: 32, by: 8) { writer.write(byte: UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        return writer.bytes
    }

    /// Reads an index file's bytes into entries (`LoadedBlockIndex` is what an opened block keeps).
    static func decode(_ bytes: [UInt8]) throws(ChunkError) -> BlockIndex {
        let loaded = try LoadedBlockIndex(bytes)
        return BlockIndex(resolutionMs: loaded.resolutionMs, rolledUp: loaded.rolledUp, minT: loaded.minT, maxT: loaded.maxT,
                          samples: loaded.samples, entries: loaded.entries)
    }
}
