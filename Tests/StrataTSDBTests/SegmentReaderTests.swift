import Foundation
import Testing
@testable import StrataTSDB

/// Payloads of 1 to 300 bytes and one of 5,000, framed, in a file followed by `tail`; the payloads.
private func segmentFile(tail: [UInt8]) throws -> (path: String, payloads: [[UInt8]], recordsEnd: Int) {
    var generator = SystemRandomNumberGenerator()
    var payloads = (0..<200).map { index in (0..<(1 + index * 37 % 300)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
    payloads.insert([UInt8](repeating: 7, count: 5_000), at: 100)
    var bytes: [UInt8] = []
    for payload in payloads { WALFraming.frame(payload, into: &bytes) }
    let recordsEnd = bytes.count
    let directory = scratchDirectory("segment-reader")
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/00000001"
    try Data(bytes + tail).write(to: URL(fileURLWithPath: path))
    return (path, payloads, recordsEnd)
}

/// Recovery reads a segment a block at a time: records crossing blocks, and one larger than a block, come back whole
/// and in order, and no more than a block beside the record being read is ever held.
@Test func aSegmentIsReadABlockAtATimeWithRecordsAcrossBlocks() throws {
    let (path, payloads, recordsEnd) = try segmentFile(tail: [UInt8](repeating: 0, count: 10_000))
    var read: [[UInt8]] = []
    let outcome = try SegmentReader.read(path, blockSize: 64) { read.append(Array($0)) }
    #expect(read == payloads)
    #expect(outcome.validLength == recordsEnd)
    #expect(outcome.tailIsZero, "a preallocated segment's zeros are not damage")
    #expect(outcome.largestBuffer <= 64 + 5_000 + WALFraming.headerSize, "at most a block beside the largest record")
    #expect(outcome.largestBuffer < recordsEnd / 4, "never the whole segment")
}

@Test func aSegmentReadStopsAtACorruptRecordAndReportsTheDamagedTail() throws {
    var damaged: [UInt8] = []
    WALFraming.frame([1, 2, 3], into: &damaged)
    damaged[damaged.count - 1] ^= 0xff // the checksum no longer matches
    let (path, payloads, recordsEnd) = try segmentFile(tail: damaged + [UInt8](repeating: 0, count: 100))
    var read: [[UInt8]] = []
    let outcome = try SegmentReader.read(path, blockSize: 128) { read.append(Array($0)) }
    #expect(read == payloads, "every record before the damage")
    #expect(outcome.validLength == recordsEnd)
    #expect(!outcome.tailIsZero)
}

@Test func aRecordTornAtTheEndOfTheFileIsNotReturned() throws {
    var torn: [UInt8] = []
    WALFraming.frame([UInt8](repeating: 9, count: 500), into: &torn)
    let (path, payloads, recordsEnd) = try segmentFile(tail: Array(torn.prefix(300)))
    var read: [[UInt8]] = []
    let outcome = try SegmentReader.read(path, blockSize: 100) { read.append(Array($0)) }
    #expect(read == payloads)
    #expect(outcome.validLength == recordsEnd)
    #expect(!outcome.tailIsZero)
}
