import Foundation
import Logging
import Testing
@testable import StrataTSDB

func scratchDirectory(_ name: String) -> String {
    "/tmp/strata-tests/\(name)-\(UInt32.random(in: 0...UInt32.max))"
}

let quietLogger = Logger(label: "test")

@Test func concurrentAppendsAreAllDurableAndRecovered() async throws {
    let directory = scratchDirectory("wal")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<200 {
            group.addTask { try await wal.append(Array("record-\(index)".utf8)) }
        }
        try await group.waitForAll()
    }
    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(Set(recovery.records.map { String(decoding: $0, as: UTF8.self) }) == Set((0..<200).map { "record-\($0)" }))
    #expect(recovery.cutBytes == 0)
}

@Test func tornTailIsCutAndTheLogStaysUsable() async throws {
    let directory = scratchDirectory("wal-torn")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    for index in 0..<10 { try await wal.append([UInt8](repeating: UInt8(index), count: 100)) }
    let segment = directory + "/00000001"
    let intact = try Data(contentsOf: URL(fileURLWithPath: segment))
    // A crash in the middle of the 11th record: its header and half its payload reached the disk.
    var torn = Data()
    var framed: [UInt8] = []
    WALFraming.frame([UInt8](repeating: 99, count: 100), into: &framed)
    torn.append(contentsOf: framed.prefix(60))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
    handle.seekToEndOfFile()
    handle.write(torn)
    try handle.close()

    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(recovery.records.count == 10)
    #expect(recovery.records.last == [UInt8](repeating: 9, count: 100))
    #expect(recovery.cutBytes == 60)
    #expect(try Data(contentsOf: URL(fileURLWithPath: segment)) == intact, "the file is cut back to the last whole record")

    let reopened = try WriteAheadLog(directory: directory, logger: quietLogger)
    try await reopened.append([1, 2, 3])
    #expect(try WriteAheadLog.recover(directory: directory, logger: quietLogger).records.last == [1, 2, 3])
}

@Test func corruptionDropsEverythingAfterItAndSaysSo() async throws {
    let directory = scratchDirectory("wal-corrupt")
    let wal = try WriteAheadLog(directory: directory, segmentSize: 300, logger: quietLogger)
    for index in 0..<12 { try await wal.append([UInt8](repeating: UInt8(index), count: 92)) }
    #expect(wal.segments().count >= 3, "small segments rotate")
    let first = directory + "/00000001"
    var bytes = try Data(contentsOf: URL(fileURLWithPath: first))
    bytes[WALFraming.headerSize + 100 + WALFraming.headerSize + 5] ^= 0xff
    try bytes.write(to: URL(fileURLWithPath: first))

    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(recovery.records.count == 1, "only the record before the corrupt one survives")
    #expect(recovery.cutBytes > 0)
    #expect(recovery.removedSegments >= 2)
}

@Test func oldSegmentsCanBeRemovedAfterACut() async throws {
    let directory = scratchDirectory("wal-cut")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    try await wal.append([1])
    let next = try wal.cut()
    try await wal.append([2])
    wal.removeSegments(below: next)
    #expect(wal.segments() == [next])
    #expect(try WriteAheadLog.recover(directory: directory, logger: quietLogger).records == [[2]])
}
