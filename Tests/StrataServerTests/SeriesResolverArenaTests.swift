import StrataCore
import Testing
@testable import StrataWire

/// Label bytes live once in the resolver's arena, however often its snapshot is rebuilt.
@Test func labelBytesAreStoredOnceAcrossSnapshotsAndRemembersAgain() throws {
    let resolver = SeriesResolver()
    var labelBytes = 0
    var refs: [StableID: SeriesRef] = [:]
    var ids: [StableID] = []
    var entries: [SeriesResolver.Entry] = []
    // 40 requests of 100 new series: the snapshot is rebuilt many times (each time pending reaches an eighth of it).
    for start in stride(from: 0, to: 4_000, by: 100) {
        let first = try decodeBatch(cpuSeriesRequest(start..<start + 100, at: 1), resolver: resolver)
        labelBytes += first.new.reduce(0) { $0 + $1.bytes.count + LabelArena.headerSize }
        resolver.remember(first.new)
        ids += first.batch.seriesIDs
        entries += first.new
        // Remembered twice (two requests raced with the same new series): no second copy.
        resolver.remember(first.new)
        for entry in first.new { refs[entry.id] = SeriesRef(rawValue: UInt32(refs.count + 1)) }
    }
    #expect(resolver.stored().bytes == labelBytes, "each series' bytes once")
    #expect(resolver.stored().series == 4_000)
    // The engine's refs arrive later for series already in the snapshot: they are taken without new bytes.
    let again = try decodeBatch(cpuSeriesRequest(0..<4_000, at: 2), resolver: resolver)
    let sameIDs = again.batch.seriesIDs == ids
    #expect(again.new.isEmpty && sameIDs)
    resolver.remember(entries, refs: refs)
    #expect(resolver.stored().bytes == labelBytes, "a new ref costs no bytes")
    let withRefs = try decodeBatch(cpuSeriesRequest(0..<4_000, at: 4), resolver: resolver)
    let (idsKept, refsTaken) = (withRefs.batch.seriesIDs == ids, withRefs.batch.hints == ids.map { refs[$0]! })
    #expect(idsKept)
    #expect(refsTaken, "each series answers the engine's ref")
}

/// A series whose label bytes do not fit an arena page is never remembered and still resolves to its id.
@Test func aSeriesLongerThanAnArenaPageResolvesTheSlowWayEveryTime() throws {
    let resolver = SeriesResolver()
    // Each value within the decoder's 65,536-byte limit, together longer than a page.
    let long = String(repeating: "x", count: 60_000)
    let names = (0..<(LabelArena.pageSize / 60_000 + 1)).map { "l\($0)" }
    let body = ProtoWriter.writeRequest([(labels: [("__name__", "up")] + names.map { ($0, long) }, samples: [(1, 1)]),
                                         (labels: [("__name__", "up"), ("job", "a")], samples: [(1, 1)])])
    let first = try decodeBatch(body, resolver: resolver)
    resolver.remember(first.new)
    let second = try decodeBatch(body, resolver: resolver)
    #expect(second.new.count == 1, "the long series is new again, the short one is known")
    #expect(second.batch.seriesIDs == first.batch.seriesIDs)
    #expect(second.batch.seriesIDs[0] == RemoteWriteRequest.seriesID(tenant: "default", labels: Labels([Label("__name__", "up")] + names.map { Label($0, long) })))
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
    for candidate in [table, merged] {
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
