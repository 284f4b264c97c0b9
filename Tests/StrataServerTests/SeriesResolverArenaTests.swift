import StrataCore
import Testing
@testable import StrataWire

/// What the arena holds for `entries`: an entry per series (header and a location per piece) and each distinct
/// piece (label message) once, however many series share it.
private func expectedArenaBytes(_ entries: [SeriesResolver.Entry]) -> Int {
    var total = 0
    var pieces = Set<[UInt8]>()
    for entry in entries {
        entry.bytes.withUnsafeBytes { bytes in
            var position = 0
            while position < bytes.count {
                let end = LabelPieces.end(of: bytes, from: position)
                pieces.insert(Array(bytes[position..<end]))
                total += 4
                position = end
            }
        }
        total += LabelArena.headerSize
    }
    return total + pieces.reduce(0) { $0 + LabelArena.pieceHeaderSize + $1.count }
}

/// Label bytes live once in the resolver's arena, however often its snapshot is rebuilt, and a label message shared
/// by many series is stored once.
@Test func labelBytesAreStoredOnceAcrossSnapshotsAndRemembersAgain() throws {
    let resolver = SeriesResolver()
    var rawBytes = 0
    var refs: [StableID: SeriesRef] = [:]
    var ids: [StableID] = []
    var entries: [SeriesResolver.Entry] = []
    // 40 requests of 100 new series: the snapshot is rebuilt many times (each time pending reaches an eighth of it).
    for start in stride(from: 0, to: 4_000, by: 100) {
        let first = try decodeBatch(cpuSeriesRequest(start..<start + 100, at: 1), resolver: resolver)
        rawBytes += first.new.reduce(0) { $0 + $1.bytes.count }
        resolver.remember(first.new)
        ids += first.batch.seriesIDs
        entries += first.new
        // Remembered twice (two requests raced with the same new series): no second copy.
        resolver.remember(first.new)
        for entry in first.new { refs[entry.id] = SeriesRef(rawValue: UInt32(refs.count + 1)) }
    }
    let stored = resolver.stored().bytes
    #expect(stored == expectedArenaBytes(entries), "each series' entry once, each label message once")
    #expect(stored * 2 < rawBytes, "\(stored) bytes stored for \(rawBytes) bytes of labels")
    #expect(resolver.stored().series == 4_000)
    // The engine's refs arrive later for series already in the snapshot: they are taken without new bytes.
    let again = try decodeBatch(cpuSeriesRequest(0..<4_000, at: 2), resolver: resolver)
    let sameIDs = again.batch.seriesIDs == ids
    #expect(again.new.isEmpty && sameIDs)
    resolver.remember(entries, refs: refs)
    #expect(resolver.stored().bytes == stored, "a new ref costs no bytes")
    let withRefs = try decodeBatch(cpuSeriesRequest(0..<4_000, at: 4), resolver: resolver)
    let (idsKept, refsTaken) = (withRefs.batch.seriesIDs == ids, withRefs.batch.hints == ids.map { refs[$0]! })
    #expect(idsKept)
    #expect(refsTaken, "each series answers the engine's ref")
}

/// A series longer than an arena page in all is remembered (its label messages are stored one by one) and found
/// again with its id; bytes with a piece longer than a page are refused by the arena, and such a series resolves
/// the slow way.
@Test func aSeriesLongerThanAPageIsRememberedPieceByPieceAndAnOversizedPieceIsRefused() throws {
    let resolver = SeriesResolver()
    // Each value within the decoder's 65,536-byte limit, together longer than a page.
    let long = String(repeating: "x", count: 60_000)
    let names = (0..<(LabelArena.pageSize / 60_000 + 1)).map { "l\($0)" }
    let body = ProtoWriter.writeRequest([(labels: [("__name__", "up")] + names.map { ($0, long) }, samples: [(1, 1)]),
                                         (labels: [("__name__", "up"), ("job", "a")], samples: [(1, 1)])])
    let first = try decodeBatch(body, resolver: resolver)
    #expect(first.new.count == 2)
    resolver.remember(first.new)
    let second = try decodeBatch(body, resolver: resolver)
    #expect(second.new.isEmpty, "both series are known")
    #expect(second.batch.seriesIDs == first.batch.seriesIDs)
    #expect(second.batch.seriesIDs[0] == RemoteWriteRequest.seriesID(tenant: "default", labels: Labels([Label("__name__", "up")] + names.map { Label($0, long) })))
    let arena = LabelArena()
    let tenant = arena.number(of: "default")!
    let oversized = [UInt8](repeating: 0x41, count: LabelArena.maxPieceBytes + 1)
    #expect(oversized.withUnsafeBytes { arena.append(tenant: tenant, id: 1, $0) } == nil)
    #expect(arena.pages.isEmpty, "nothing stored for a refused series")
    // Pieces that fit, then one too long: still nothing stored (the earlier pieces would have stayed, unreachable).
    let framed: [UInt8] = [0x0a, 5, 0x0a, 3, 0x41, 0x42, 0x43, 0x0a, 1, 0x44]
    #expect((framed + [0x8a, 0x00] + oversized).withUnsafeBytes { arena.append(tenant: tenant, id: 2, $0) } == nil)
    #expect(arena.pages.isEmpty && arena.storedBytes == 0, "nothing stored for a series refused at its last piece")
    #expect(framed.withUnsafeBytes { arena.append(tenant: tenant, id: 3, $0) } != nil)
}

/// Whatever the bytes — label messages, a message cut short, a length past the end, bytes that are no message at
/// all — an entry holds exactly the bytes it was made from: pieces are compared one by one, so `holds` answers
/// what comparing the whole bytes answers, and entries of equal bytes are the same entry's pieces.
@Test func anEntryHoldsExactlyItsOwnBytesWhateverTheirFraming() {
    var random = SplitMix64(state: 18)
    let shared: [[UInt8]] = [[0x0a, 3, 1, 2, 3], [0x0a, 0], [0x0a, 2, 0x0a, 0], [0x0a, 0x80, 0x01] + [UInt8](repeating: 7, count: 128)]
    var strings: [[UInt8]] = [[], [0x0a], [0x0a, 5, 1], [0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x12, 1, 1]]
    for _ in 0..<400 {
        var bytes: [UInt8] = []
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            switch Int.random(in: 0...3, using: &random) {
            case 0: bytes += shared.randomElement(using: &random)!
            case 1: bytes += [0x0a, UInt8.random(in: 0...6, using: &random)] + (0..<3).map { _ in UInt8.random(in: 0...3, using: &random) }
            case 2: bytes.append(UInt8.random(in: 0...255, using: &random))
            default: bytes += [0x0a, 2, UInt8.random(in: 0...2, using: &random), 0x0a]
            }
        }
        strings.append(bytes)
    }
    let arena = LabelArena(seed: 0x5eed)
    let tenant = arena.number(of: "default")!
    let locations = strings.enumerated().map { index, bytes in bytes.withUnsafeBytes { arena.append(tenant: tenant, id: UInt64(index), $0)! } }
    arena.pages.withUnsafeBufferPointer { pages in
        for (first, bytes) in strings.enumerated() {
            let entry = LabelArena.entry(locations[first], in: pages)
            #expect(LabelArena.id(entry) == UInt64(first))
            for (second, other) in strings.enumerated() where first == second || Int.random(in: 0..<20, using: &random) == 0 || bytes.count == other.count {
                let holds = other.withUnsafeBytes { LabelArena.holds(entry, tenant: tenant, bytes: $0, pages: pages) }
                #expect(holds == (bytes == other), "\(bytes) against \(other)")
                let same = LabelArena.sameBytes(entry, LabelArena.entry(locations[second], in: pages))
                #expect(same == (bytes == other), "entries of \(bytes) and \(other)")
            }
            #expect(!bytes.withUnsafeBytes { LabelArena.holds(entry, tenant: tenant + 1, bytes: $0, pages: pages) }, "another tenant's")
        }
    }
}

/// Slots hold only the hash's low half: two series whose tags collide are told apart by their bytes in the arena,
/// each found with its own id, through growth and a merge.
@Test func seriesWhoseTagsCollideAreToldApartByTheirBytes() {
    #expect(MemoryLayout<SeriesResolver.Slot>.stride == 12)
    let arena = LabelArena()
    let tenant = arena.number(of: "default")!
    var table = SeriesResolver.Table(size: 16)
    let tag = SeriesResolver.Slot.tag(0xdead_beef_0000_0001)
    let bodies: [[UInt8]] = (0..<40).map { Array("series-\($0)".utf8) }
    for (index, body) in bodies.enumerated() {
        let location = body.withUnsafeBytes { arena.append(tenant: tenant, id: UInt64(index + 100), $0)! }
        table.insertAbsent(SeriesResolver.Slot(tag: tag, location: location, ref: UInt32(index + 1)))
    }
    let merged = arena.pages.withUnsafeBufferPointer { SeriesResolver.Table.merged(table, SeriesResolver.Table(size: 16), pages: $0) }
    // Merged into itself, the colliding series are matched entry against entry and kept once each.
    let twice = arena.pages.withUnsafeBufferPointer { SeriesResolver.Table.merged(table, table, pages: $0) }
    #expect(twice.count == bodies.count)
    for candidate in [table, merged, twice] {
        arena.pages.withUnsafeBufferPointer { pages in
            for (index, body) in bodies.enumerated() {
                let slot = body.withUnsafeBytes { candidate.find(tag, tenant: tenant, bytes: $0, pages: pages) }
                #expect(slot?.ref == UInt32(index + 1))
                #expect(slot.map { LabelArena.id(LabelArena.entry($0.location, in: pages)) } == UInt64(index + 100))
            }
            let absent = Array("series-40".utf8).withUnsafeBytes { candidate.find(tag, tenant: tenant, bytes: $0, pages: pages) }
            #expect(absent == nil)
        }
    }
}
