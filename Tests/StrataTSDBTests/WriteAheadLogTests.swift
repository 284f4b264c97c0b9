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
    let wal = try WriteAheadLog(directory: directory, preallocate: false, logger: quietLogger)
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

    let reopened = try WriteAheadLog(directory: directory, preallocate: false, logger: quietLogger)
    try await reopened.append([1, 2, 3])
    #expect(try WriteAheadLog.recover(directory: directory, logger: quietLogger).records.last == [1, 2, 3])
}

@Test func corruptionDropsEverythingAfterItAndSaysSo() async throws {
    let directory = scratchDirectory("wal-corrupt")
    let wal = try WriteAheadLog(directory: directory, segmentSize: 300, preallocate: false, logger: quietLogger)
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
    // The log may also have switched to a preallocated segment after the cut's: only those below the cut go.
    #expect(wal.segments().first == next)
    #expect(try WriteAheadLog.recover(directory: directory, logger: quietLogger).records == [[2]])
}

/// Appends until the log has switched to a preallocated segment (the preparer runs in the background).
private func appendUntilPreallocated(_ wal: WriteAheadLog, directory: String) async throws -> Int {
    var index = 0
    while index < 100_000 {
        try await wal.append(Array("record-\(index)".utf8))
        index += 1
        if let newest = wal.segments().last, newest > 1, fileSize(directory + "/" + SegmentWriter.name(of: newest)) == SegmentWriter.firstPreallocation {
            return index
        }
        if index % 50 == 0 { try await Task.sleep(for: .milliseconds(5)) }
    }
    Issue.record("the log never switched to a preallocated segment")
    return index
}

private func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? -1
}

@Test func preallocatedSegmentsRecoverEveryRecordAndTheirZerosAreNotDamage() async throws {
    let directory = scratchDirectory("wal-prealloc")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    var written = try await appendUntilPreallocated(wal, directory: directory)
    for _ in 0..<20 {
        try await wal.append(Array("record-\(written)".utf8))
        written += 1
    }
    #expect(wal.segments().count >= 2, "the log moved to the zero-filled segment once it was ready")
    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(recovery.records.map { String(decoding: $0, as: UTF8.self) } == (0..<written).map { "record-\($0)" })
    #expect(recovery.cutBytes == 0, "zeros after the last record are unused space")
    #expect(recovery.removedSegments == 0)
    let newest = directory + "/" + SegmentWriter.name(of: wal.segments().last!)
    #expect(fileSize(newest) == SegmentWriter.firstPreallocation, "recovery keeps the preallocation")

    // Reopened, the log continues right after the last record, not at the end of the file.
    let reopened = try WriteAheadLog(directory: directory, recovered: recovery, logger: quietLogger)
    try await reopened.append(Array("after-restart".utf8))
    let again = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(again.records.count == written + 1)
    #expect(again.records.last.map { String(decoding: $0, as: UTF8.self) } == "after-restart")
    // Without the recovery's hint the writer finds the end itself.
    let rescanned = try WriteAheadLog(directory: directory, logger: quietLogger)
    try await rescanned.append(Array("rescanned".utf8))
    let third = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(third.records.suffix(2).map { String(decoding: $0, as: UTF8.self) } == ["after-restart", "rescanned"])
    #expect(third.cutBytes == 0)
}

@Test func aTornRecordInAPreallocatedSegmentIsCutAndTheLogStaysUsable() async throws {
    let directory = scratchDirectory("wal-prealloc-torn")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    let written = try await appendUntilPreallocated(wal, directory: directory)
    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    let newest = directory + "/" + SegmentWriter.name(of: wal.segments().last!)
    // A crash in the middle of the next record: its header and part of its payload reached the disk.
    var framed: [UInt8] = []
    WALFraming.frame([UInt8](repeating: 7, count: 100), into: &framed)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: newest))
    try handle.seek(toOffset: UInt64(recovery.tail!.dataEnd))
    handle.write(Data(framed.prefix(40)))
    try handle.close()

    let cut = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(cut.records.count == written, "every whole record survives")
    #expect(cut.cutBytes > 0, "the torn record and what follows it are cut")
    let reopened = try WriteAheadLog(directory: directory, recovered: cut, logger: quietLogger)
    try await reopened.append([1, 2, 3])
    let after = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(after.records.count == written + 1)
    #expect(after.records.last == [1, 2, 3])
    #expect(after.cutBytes == 0)
}

/// A cut only queues its rotation (the engine actor never waits for it): still, whatever the timing of the
/// flushes around it, every segment below the number a cut returns holds only records enqueued before the cut,
/// and every record enqueued after it is in a segment at or above that number.
@Test func aCutSeparatesTheRecordsBeforeItFromThoseAfterItWithoutWaiting() async throws {
    let directory = scratchDirectory("wal-cut-order")
    let wal = try WriteAheadLog(directory: directory, segmentSize: 64 << 10, logger: quietLogger)
    var cuts: [(number: Int, recordsBefore: Int)] = []
    var tickets: [UInt64] = []
    for index in 0..<3_000 {
        tickets.append(wal.enqueue(Array("\(index)".utf8)))
        if index % 250 == 0 { wal.startFlush() }
        if index % 400 == 399 { cuts.append((try wal.cut(), index + 1)) }
        if index % 100 == 0 { try await wal.waitUntilDurable(tickets[index / 2]) }
    }
    try await wal.waitUntilDurable(tickets.last!)
    try await wal.waitForCuts()
    var segmentOf: [Int: Int] = [:]
    for name in SegmentWriter.segmentNames(in: directory) {
        _ = try SegmentReader.read(directory + "/" + name) { record in segmentOf[Int(String(decoding: record, as: UTF8.self))!] = Int(name)! }
    }
    #expect(segmentOf.count == 3_000, "every record is in the log once")
    for cut in cuts {
        let before = segmentOf.filter { $0.key < cut.recordsBefore }.map(\.value)
        let after = segmentOf.filter { $0.key >= cut.recordsBefore }.map(\.value)
        #expect(after.allSatisfy { $0 >= cut.number }, "records after cut \(cut.number) start at or above it")
        #expect(segmentOf.filter { $0.value < cut.number }.allSatisfy { $0.key < cut.recordsBefore }, "segments below \(cut.number) hold only earlier records")
        #expect(!before.isEmpty)
    }
}

/// Issue 18: after a graceful stop the WAL kept two 128 MiB preallocated segments (37 of Strata's 41 bytes per
/// sample on disk). Trimmed at rest it keeps one segment no larger than its records and no prepared file, and
/// writing afterwards works and recovers.
@Test func aLogTrimmedAtRestKeepsOnlyItsRecordsAndWritesOnAfterwards() async throws {
    let directory = scratchDirectory("wal-trim")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    let written = try await appendUntilPreallocated(wal, directory: directory)
    await wal.trim()
    let files = Files.list(directory)
    #expect(!files.contains(SegmentWriter.preparedName), "no prepared segment at rest: \(files)")
    let newest = directory + "/" + SegmentWriter.name(of: wal.segments().last!)
    let recovery = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(recovery.records.count == written && recovery.cutBytes == 0)
    #expect(fileSize(newest) < SegmentWriter.firstPreallocation, "the preallocated tail is gone")
    #expect(try SegmentReader.read(newest) { _ in }.validLength == fileSize(newest), "the segment ends with its last record")

    try await wal.append(Array("after-trim".utf8))
    let again = try WriteAheadLog.recover(directory: directory, logger: quietLogger)
    #expect(again.records.count == written + 1 && again.records.last == Array("after-trim".utf8))
}

/// After a cut (a head persist) preallocation starts small again: a large prepared segment from a busy spell is
/// dropped instead of becoming the next, mostly empty, segment.
@Test func aCutStartsPreallocationSmallAgain() async throws {
    let directory = scratchDirectory("wal-cut-small")
    let wal = try WriteAheadLog(directory: directory, segmentSize: 16 << 20, logger: quietLogger)
    // Fill segments until preparation has doubled past its first size (4 MiB, then 8 and 16).
    let record = [UInt8](repeating: 7, count: 60_000)
    for index in 0..<400 {
        try await wal.append(record)
        if index % 20 == 0 { try await Task.sleep(for: .milliseconds(20)) }
    }
    let busiest = wal.segments().map { fileSize(directory + "/" + SegmentWriter.name(of: $0)) }.max() ?? 0
    #expect(busiest > SegmentWriter.firstPreallocation, "the busy spell doubled the preallocation")
    let next = try wal.cut()
    try await wal.waitForCuts()
    wal.removeSegments(below: next)
    // A few quiet writes: a large preparation still under way when the cut came is dropped once it is ready.
    for _ in 0..<3 {
        try await wal.append(Array("after-cut".utf8))
        try await Task.sleep(for: .milliseconds(150))
    }
    let sizes = wal.segments().map { fileSize(directory + "/" + SegmentWriter.name(of: $0)) }
    #expect(sizes.allSatisfy { $0 <= SegmentWriter.firstPreallocation }, "what is left after the cut is small: \(sizes)")
    let prepared = fileSize(directory + "/" + SegmentWriter.preparedName)
    #expect(prepared <= SegmentWriter.firstPreallocation, "the prepared segment is of the first size again: \(prepared)")
}

/// Issue 18: a log kept its current segment and the next one, prepared at once (up to 128 MiB each between two
/// persists, so an idle server held two). The next segment is now prepared only once the current one is half
/// full, twice as large.
@Test func anIdleLogKeepsOneSmallSegmentAndPreparesTheNextAtHalfFull() async throws {
    let directory = scratchDirectory("wal-idle")
    let wal = try WriteAheadLog(directory: directory, logger: quietLogger)
    _ = try await appendUntilPreallocated(wal, directory: directory)
    for _ in 0..<20 { try await wal.append(Array("quiet".utf8)) }
    wal.settle()
    #expect(!Files.list(directory).contains(SegmentWriter.preparedName), "idle in a 4 MiB segment: nothing prepared")

    let record = [UInt8](repeating: 1, count: 64 << 10)
    for _ in 0..<(SegmentWriter.firstPreallocation / 2 / record.count + 1) { try await wal.append(record) }
    wal.settle()
    #expect(fileSize(directory + "/" + SegmentWriter.preparedName) == 2 * SegmentWriter.firstPreallocation, "half full: the next, twice as large")
    let before = wal.segments().last!
    for _ in 0..<(SegmentWriter.firstPreallocation / 2 / record.count) { try await wal.append(record) }
    #expect(wal.segments().last == before + 1, "the full segment gave way to the prepared one")
    #expect(fileSize(directory + "/" + SegmentWriter.name(of: before + 1)) == 2 * SegmentWriter.firstPreallocation)
}
