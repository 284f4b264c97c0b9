import StrataCore
import Testing
@testable import StrataTSDB

/// The label index's selections (candidates from the narrowest postings, other matchers as bitsets or checked on
/// labels) answer what checking every matcher on every series answers, for every kind of matcher: equal and not,
/// regular expressions and their negation, the empty value (a missing label), and names no series has.
@Test func everyKindOfMatcherSelectsWhatCheckingEverySeriesSelects() throws {
    var index = LabelIndex()
    var all: [(id: StableID, labels: Labels)] = []
    var random = SystemRandomNumberGenerator()
    for n in 0..<5_000 {
        var pairs = [Label("__name__", n % 4 == 0 ? "up" : "requests"), Label("instance", "i-\(n % 250)")]
        if n % 3 != 0 { pairs.append(Label("job", "j\(n % 5)")) }  // a third of the series have no job
        if n % 50 == 0 { pairs.append(Label("rare", "r\(n % 7)")) }
        let id = StableID(rawValue: random.next())
        index.add(id, Labels(pairs))
        all.append((id, Labels(pairs)))
    }
    let kinds: [[LabelMatcher]] = try [
        [LabelMatcher("__name__", .equal, "up")],
        [LabelMatcher("__name__", .equal, "up"), LabelMatcher("job", .equal, "")],
        [LabelMatcher("__name__", .equal, "requests"), LabelMatcher("job", .notEqual, "")],
        [LabelMatcher("__name__", .equal, "requests"), LabelMatcher("job", .notEqual, "j2")],
        [LabelMatcher("instance", .matchesRegex, "i-1.*"), LabelMatcher("job", .notMatchesRegex, "j[13]")],
        [LabelMatcher("instance", .matchesRegex, "i-1.*"), LabelMatcher("job", .matchesRegex, "j[13]|")],
        [LabelMatcher("rare", .matchesRegex, "r[0-3]"), LabelMatcher("__name__", .notEqual, "up")],
        [LabelMatcher("rare", .equal, "r1"), LabelMatcher("job", .matchesRegex, ".*")],
        [LabelMatcher("job", .notEqual, "j0")],
        [LabelMatcher("job", .equal, "")],
        [LabelMatcher("absent", .equal, "")],
        [LabelMatcher("absent", .notEqual, "x"), LabelMatcher("__name__", .equal, "up")],
        [LabelMatcher("absent", .equal, "x")],
        [LabelMatcher("__name__", .equal, "up"), LabelMatcher("absent", .matchesRegex, "x.*")],
        [LabelMatcher("__name__", .equal, "up"), LabelMatcher("job", .equal, "j1"), LabelMatcher("instance", .notEqual, "i-4")],
        [LabelMatcher("job", .equal, "j9")],
    ]
    for matchers in kinds {
        let expected = all.filter { item in matchers.allSatisfy { $0.matches(item.labels) } }.sorted { $0.id < $1.id }
        let found = try index.selectLabelled(matchers)
        #expect(found.map(\.id) == expected.map(\.id), "\(matchers)")
        #expect(found.map(\.labels) == expected.map(\.labels), "\(matchers)")
        #expect(found.allSatisfy { index.labels(of: $0.id) == $0.labels })
    }
}

/// The set of series numbers behind the bitset filters: bounded, intersected and subtracted as sets are.
@Test func aSeriesBitsetHoldsWhatWasInsertedAndCombinesAsASet() {
    var evens = SeriesBitset(count: 130)
    for number in stride(from: 0, to: 130, by: 2) { evens.insert(UInt32(number)) }
    #expect((0..<130).allSatisfy { evens.contains($0) == ($0 % 2 == 0) })
    #expect(!evens.contains(130) && !evens.contains(10_000), "numbers beyond the bound are not members")
    let all = SeriesBitset(filled: 130)
    #expect((0..<130).allSatisfy { all.contains($0) } && !all.contains(130))
    var odds = all
    odds.subtract(evens)
    #expect((0..<130).allSatisfy { odds.contains($0) == ($0 % 2 == 1) })
    var none = odds
    none.formIntersection(evens)
    #expect(!(0..<130).contains { none.contains($0) })
}
