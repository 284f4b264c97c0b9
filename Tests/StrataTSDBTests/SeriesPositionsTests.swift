import StrataCore
import Testing
@testable import StrataTSDB

/// A block's table of series positions finds every id it was given at its position and no other id, whether the
/// ids are hashes or differ only in a few bits.
@Test func seriesPositionsFindEveryIdTheyHoldAndNoOther() {
    var random = SystemRandomNumberGenerator()
    let hashed = (0..<20_000).map { _ in StableID(rawValue: random.next()) }
    let close = (1..<5_000).map { StableID(rawValue: UInt64($0) << 40) } + (0..<5_000).map { StableID(rawValue: UInt64($0)) }
    for ids in [hashed, close, [], [StableID(rawValue: 0)]] {
        let table = SeriesPositions(ids)
        #expect(ids.indices.allSatisfy { table[ids[$0]] == $0 })
        let known = Set(ids)
        let strangers = (0..<2_000).map { _ in StableID(rawValue: random.next()) }.filter { !known.contains($0) }
        #expect(strangers.allSatisfy { table[$0] == nil })
    }
}
