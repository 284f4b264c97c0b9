import StrataCore
import Testing
@testable import StrataTSDB

@Test func seriesTableFindsEverySeriesAcrossGrowthAndCollidingLowBits() {
    let table = SeriesTable(capacity: 4)
    var added: [StableID: MemSeries] = [:]
    // Ids that share their low bits probe into each other's slots.
    let ids = (0..<5_000).map { StableID(rawValue: UInt64($0) << 40 | 7) } + [StableID(rawValue: 0)]
    for id in ids {
        let series = MemSeries(labels: ["id": id.description])
        table[id] = series
        added[id] = series
    }
    #expect(table.count == ids.count)
    for id in ids { #expect(table[id] === added[id]) }
    #expect(table[StableID(rawValue: 12345)] == nil)
    #expect(Set(table.map(\.0)) == Set(ids))
}
