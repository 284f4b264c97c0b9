import Foundation
import StrataCore
import Testing
@testable import StrataTSDB

/// An opened block keeps its index in flat arrays (labels as symbol numbers, every chunk reference in one array):
/// what it gives back per series must be exactly what was written.
@Test func anOpenedBlocksFlatIndexGivesBackEverySeriesLabelsAndChunks() throws {
    var entries: [BlockIndex.Entry] = []
    for number in 0..<300 {
        var pairs: [Label] = []
        // 0 to 6 labels, names and values shared across series and unique to one.
        for label in 0..<(number % 7) { pairs.append(Label("name\(label)", label == 0 ? "host-\(number)" : "value\(number % 5)")) }
        let chunks = (0..<(number % 4)).map { chunk in
            ChunkRef(column: chunk % 5, minT: Int64(number * 1000 + chunk), maxT: Int64(number * 1000 + chunk + 10),
                     offset: number * 100 + chunk, length: 7 + chunk)
        }
        entries.append(.init(id: StableID(parts: ["series", "\(number)"]), labels: Labels(pairs), chunks: chunks))
    }
    entries.sort { $0.id < $1.id }
    let index = BlockIndex(resolutionMs: 60_000, rolledUp: true, minT: 0, maxT: 300_000, samples: 1234, entries: entries)
    let loaded = try LoadedBlockIndex(index.encode())
    #expect(loaded.count == entries.count)
    #expect((loaded.resolutionMs, loaded.minT, loaded.maxT, loaded.samples) == (60_000, 0, 300_000, 1234))
    for (position, entry) in entries.enumerated() {
        #expect(loaded.ids[position] == entry.id)
        #expect(loaded.labels(at: position) == entry.labels)
        #expect(Array(loaded.chunkRefs(at: position)) == entry.chunks)
        #expect(try loaded.withChunkRefs(at: position) { Array($0) } == entry.chunks)
    }
    #expect(try BlockIndex.decode(index.encode()) == index)
}

/// Index bytes with a valid checksum, written field by field: `series` writes the series count and each series.
private func handMadeIndex(resolution: UInt64 = 0, samples: UInt64 = 1, symbols: [String] = ["a"],
                           series: (inout BinaryWriter) -> Void) -> [UInt8] {
    var writer = BinaryWriter()
    writer.write(raw: BlockIndex.magic)
    writer.write(byte: BlockIndex.version)
    writer.write(uvarint: resolution)
    writer.write(byte: 1)
    writer.write(varint: 0)
    writer.write(varint: 10)
    writer.write(uvarint: samples)
    writer.write(uvarint: UInt64(symbols.count))
    for symbol in symbols { writer.write(string: symbol) }
    series(&writer)
    var bytes = writer.bytes
    let checksum = WALFraming.crc(bytes[...])
    for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
    return bytes
}

/// Writes a series count of one and that series (id 42): its labels as symbol-number pairs, then its chunks.
private func oneSeries(_ writer: inout BinaryWriter, labels: [(name: UInt64, value: UInt64)] = [],
                       chunks: [(column: UInt64, minT: Int64, span: UInt64, offset: UInt64, length: UInt64)] = []) {
    writer.write(uvarint: 1)
    writer.write(uvarint: 42)
    writer.write(uvarint: UInt64(labels.count))
    for label in labels {
        writer.write(uvarint: label.name)
        writer.write(uvarint: label.value)
    }
    writer.write(uvarint: UInt64(chunks.count))
    for chunk in chunks {
        writer.write(uvarint: chunk.column)
        writer.write(varint: chunk.minT)
        writer.write(uvarint: chunk.span)
        writer.write(uvarint: chunk.offset)
        writer.write(uvarint: chunk.length)
    }
}

@Test func anIndexNamingASymbolPastItsTableIsRejectedAsCorrupt() {
    // The name is symbol 0 ("a"); the table has no symbol 7.
    let bytes = handMadeIndex { oneSeries(&$0, labels: [(0, 7)]) }
    #expect(throws: ChunkError.self) { try LoadedBlockIndex(bytes) }
}

/// Numbers past `Int64.max` in an index (a damaged or hostile file) were converted with a trapping `Int64(_:)` /
/// `Int(_:)`, crashing the server at open; they now read as some value that later checks reject, never a trap.
@Test func anIndexWithNumbersPastInt64MaxIsReadWithoutTrapping() throws {
    let bytes = handMadeIndex(resolution: .max, samples: .max) {
        oneSeries(&$0, chunks: [(column: .max, minT: 5, span: .max, offset: .max, length: .max)])
    }
    let loaded = try LoadedBlockIndex(bytes)
    #expect(loaded.count == 1)
    #expect(Resolution(milliseconds: loaded.resolutionMs) == nil, "an opened block rejects the resolution")
    #expect(loaded.samples == .max, "a count past Int.max is clamped, never negative in the engine's totals")
    let chunk = try #require(loaded.chunkRefs(at: 0).first)
    #expect(chunk.offset < 0 && chunk.length < 0, "Block.bytes(of:) rejects a negative offset or length")
}

/// A chunk reference naming a column below zero (a number past `Int64.max` on disk) is refused by the block that
/// reads it, not used as an array index.
@Test func aBlockRefusesAChunkInANegativeColumn() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strata-block-\(UInt64.random(in: 0...UInt64.max))").path
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let bytes = handMadeIndex(resolution: 60_000) { oneSeries(&$0, chunks: [(column: .max, minT: 0, span: 10, offset: 0, length: 4)]) }
    try Data(bytes).write(to: URL(fileURLWithPath: directory + "/index"))
    try Data([0, 0, 0, 0]).write(to: URL(fileURLWithPath: directory + "/chunks"))
    let block = try Block(directory: directory)
    #expect(throws: ChunkError.self) { try block.columns(at: 0, from: .min, to: .max) }
}
