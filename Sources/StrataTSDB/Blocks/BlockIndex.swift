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
        var bytes = writer.bytes
        let checksum = WALFraming.crc(bytes[...])
        for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws(ChunkError) -> BlockIndex {
        guard bytes.count >= 9, Array(bytes[0..<4]) == magic else { throw .corrupt("block index magic") }
        let body = bytes[0..<(bytes.count - 4)]
        guard WALFraming.crc(body) == WALFraming.readU32(bytes, bytes.count - 4) else { throw .corrupt("block index checksum") }
        guard (2...version).contains(bytes[4]) else { throw .corrupt("block index version \(bytes[4])") }
        let hasColumns = bytes[4] >= 3
        var reader = BinaryReader(Array(body.dropFirst(5)))
        do {
            let resolution = hasColumns ? Int64(try reader.readUVarint("resolution")) : 0
            // v3 raw blocks were written with their rollups; v2 blocks predate rollups, so theirs are still to write.
            let rolledUp = bytes[4] >= 4 ? try reader.readByte("flags") & 1 == 1 : bytes[4] >= 3
            let minT = try reader.readVarint("minT")
            let maxT = try reader.readVarint("maxT")
            let samples = Int(try reader.readUVarint("samples"))
            var symbols: [String] = []
            for _ in 0..<(try reader.readCount("symbols")) { symbols.append(try reader.readString("symbol")) }
            func symbol(_ what: String) throws(DecodeError) -> String {
                let number = try reader.readUVarint(what)
                guard number < UInt64(symbols.count) else { throw .invalidValue(field: what, reason: "symbol \(number) out of range") }
                return symbols[Int(number)]
            }
            var entries: [Entry] = []
            for _ in 0..<(try reader.readCount("series", minimumElementSize: 3)) {
                let id = StableID(rawValue: try reader.readUVarint("id"))
                var labels: [Label] = []
                for _ in 0..<(try reader.readCount("labels", minimumElementSize: 2)) {
                    labels.append(Label(try symbol("label name"), try symbol("label value")))
                }
                var chunks: [ChunkRef] = []
                for _ in 0..<(try reader.readCount("chunks", minimumElementSize: 4)) {
                    let column = hasColumns ? Int(try reader.readUVarint("column")) : 0
                    let chunkMin = try reader.readVarint("chunk minT")
                    let span = Int64(bitPattern: try reader.readUVarint("chunk span"))
                    chunks.append(ChunkRef(column: column, minT: chunkMin, maxT: chunkMin &+ span, offset: Int(try reader.readUVarint("offset")),
                                           length: Int(try reader.readUVarint("length"))))
                }
                entries.append(Entry(id: id, labels: Labels(labels), chunks: chunks))
            }
            return BlockIndex(resolutionMs: resolution, rolledUp: rolledUp, minT: minT, maxT: maxT, samples: samples, entries: entries)
        } catch {
            throw .corrupt("block index: \(error)")
        }
    }
}
