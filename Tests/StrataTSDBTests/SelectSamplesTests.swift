import Foundation
import Synchronization
import StrataCore
import Testing
@testable import StrataTSDB

/// The reads of the PromQL engine and of `/prometheus/api/v1/series`: samples with their staleness markers, and
/// series listed by whether they hold samples in a window, from the head and from blocks alike.
@Test func selectSamplesKeepsStalenessMarkersFromTheHeadAndFromBlocks() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-samples"), logger: quietLogger)
    let marker = Double(bitPattern: Sample.staleNaNBits)
    let id = StableID(parts: ["up"])
    try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(1_000, 1), Sample(2_000, marker)], labels: ["__name__": "up"])])
    try await engine.persistHead()
    try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(3_000, .nan), Sample(4_000, marker)])])
    let found = try await engine.selectSamples([try LabelMatcher("__name__", .equal, "up")], fromMs: 0, toMs: 10_000, budget: .unlimited)
    #expect(found.count == 1 && found[0].labels == ["__name__": "up"])
    #expect(found[0].samples.map(\.timestampMs) == [1_000, 2_000, 3_000, 4_000])
    #expect(found[0].samples.map(\.isStaleMarker) == [false, true, false, true], "a real NaN stays a value")
    #expect(try await engine.samples(series: id, fromMs: 0, toMs: 10_000).count == 2, "samples(series:) still leaves markers out")
    let window = try await engine.selectSamples([try LabelMatcher("__name__", .equal, "up")], fromMs: 1_500, toMs: 3_000, budget: .unlimited)
    #expect(window[0].samples.map(\.timestampMs) == [2_000, 3_000])
    let empty = try await engine.selectSamples([try LabelMatcher("__name__", .equal, "up")], fromMs: 5_000, toMs: 9_000, budget: .unlimited)
    #expect(empty.isEmpty, "a series without samples in the window is left out")
}

@Test func seriesAreListedByWhetherTheyHoldSamplesInTheWindow() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-window"), logger: quietLogger)
    let marker = Double(bitPattern: Sample.staleNaNBits)
    let old = StableID(parts: ["old"]), ended = StableID(parts: ["ended"]), fresh = StableID(parts: ["fresh"])
    try await engine.append([
        SeriesSamples(seriesID: old, samples: [Sample(1_000, 1)], labels: ["__name__": "up", "i": "old"]),
        SeriesSamples(seriesID: ended, samples: [Sample(1_000, 1), Sample(50_000, marker)], labels: ["__name__": "up", "i": "ended"]),
    ])
    try await engine.persistHead()
    try await engine.append([SeriesSamples(seriesID: fresh, samples: [Sample(90_000, 1)], labels: ["__name__": "up", "i": "fresh"])])
    func listed(_ from: Int64, _ to: Int64) async throws -> Set<String> {
        Set(try await engine.select([try LabelMatcher("__name__", .equal, "up")], fromMs: from, toMs: to, budget: .unlimited)
            .compactMap { $0.labels["i"] })
    }
    #expect(try await listed(0, 100_000) == ["old", "ended", "fresh"])
    #expect(try await listed(40_000, 60_000) == ["ended"], "a series whose only sample in the window is a marker is listed")
    #expect(try await listed(60_000, 100_000) == ["fresh"])
    #expect(try await listed(200_000, 300_000) == [])
}

/// A selection with tens of thousands of candidates is checked in parallel slices and answers exactly what
/// checking every series one by one answers, sorted by id; so does a read of their samples from a block and the
/// head, decoded straight into one array per series.
@Test func aLargeSelectionAnswersWhatANaiveFilterAnswers() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-large"), logger: quietLogger)
    var all: [(id: StableID, labels: Labels)] = []
    var batch: [SeriesSamples] = []
    for n in 0..<30_000 {
        let labels: Labels = ["__name__": n % 3 == 0 ? "a" : "b", "job": "j\(n % 7)", "instance": "i-\(n % 1_000)"]
        let id = StableID(parts: ["large", String(n)])
        all.append((id, labels))
        batch.append(SeriesSamples(seriesID: id, samples: [Sample(1_000, Double(n))], labels: labels))
    }
    try await engine.append(batch)
    try await engine.persistHead()
    try await engine.append(all.enumerated().map { SeriesSamples(seriesID: $0.element.id, samples: [Sample(2_000, Double($0.offset) + 0.5)]) })
    let selectors: [[LabelMatcher]] = [
        [try LabelMatcher("__name__", .equal, "b")],
        [try LabelMatcher("__name__", .equal, "b"), try LabelMatcher("job", .notEqual, "j3")],
        [try LabelMatcher("instance", .matchesRegex, "i-[0-4].*"), try LabelMatcher("job", .matchesRegex, "j[0-5]")],
        [try LabelMatcher("job", .notMatchesRegex, "j1")],
    ]
    for matchers in selectors {
        let expected = all.filter { item in matchers.allSatisfy { $0.matches(item.labels) } }.sorted { $0.id < $1.id }
        let found = try await engine.select(matchers)
        #expect(found.map(\.id) == expected.map(\.id), "\(matchers)")
        #expect(found.map(\.labels) == expected.map(\.labels))
        let read = try await engine.selectSamples(matchers, fromMs: 0, toMs: 5_000, budget: .unlimited)
        #expect(read.map(\.id) == expected.map(\.id))
        #expect(read.allSatisfy { $0.samples.map(\.timestampMs) == [1_000, 2_000] && $0.samples[1].value == $0.samples[0].value + 0.5 })
    }
}

/// A tenant's read returns each series' labels without the internal ones, whether the engine strips them in its
/// decoding slices (`selectVisibleSamples`) or a querier's default does it afterwards; and only its own series.
@Test func aTenantsSampleReadHidesInternalLabelsAndOtherTenants() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-visible"), logger: quietLogger)
    var batch: [SeriesSamples] = []
    for n in 0..<3_000 {
        let labels: Labels = ["__name__": "m", "__tenant__": n % 2 == 0 ? "a" : "b", "n": String(n)]
        batch.append(SeriesSamples(seriesID: StableID(parts: ["visible", String(n)]), samples: [Sample(1_000, 1)], labels: labels))
    }
    try await engine.append(batch)
    let tenant = try TenantQuerier(engine, tenant: "a")
    let found = try await tenant.selectSamples([try LabelMatcher("__name__", .equal, "m")], fromMs: 0, toMs: 2_000, budget: .unlimited)
    #expect(found.count == 1_500)
    #expect(found.allSatisfy { $0.labels["__tenant__"] == nil && $0.labels["__name__"] == "m" && Int($0.labels["n"]!)! % 2 == 0 })
    let raw = try await engine.selectSamples([try LabelMatcher("__tenant__", .equal, "a")], fromMs: 0, toMs: 2_000, budget: .unlimited)
    #expect(raw.map(\.labels.visible) == found.map(\.labels), "the same series, in the same order, as the engine's own read")
}

/// The newest-sample read of an instant selector keeps, of each series, exactly the last sample the full read
/// returns — a staleness marker included, from a block, the head or both, with late samples merged — and leaves
/// out the series the full read leaves out.
@Test func theNewestSampleReadKeepsTheLastSampleOfTheFullRead() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-newest"), logger: quietLogger)
    let marker = Double(bitPattern: Sample.staleNaNBits)
    func id(_ name: String) -> StableID { StableID(parts: ["newest", name]) }
    try await engine.append([
        SeriesSamples(seriesID: id("block"), samples: [Sample(1_000, 1), Sample(2_000, 2)], labels: ["__name__": "m", "i": "block"]),
        SeriesSamples(seriesID: id("both"), samples: [Sample(1_000, 1)], labels: ["__name__": "m", "i": "both"]),
        SeriesSamples(seriesID: id("ended"), samples: [Sample(1_000, 1)], labels: ["__name__": "m", "i": "ended"]),
        SeriesSamples(seriesID: id("late"), samples: [Sample(1_000, 1), Sample(5_000, 5)], labels: ["__name__": "m", "i": "late"]),
    ])
    try await engine.persistHead()
    try await engine.append([
        SeriesSamples(seriesID: id("both"), samples: [Sample(3_000, 3), Sample(4_000, .nan)]),
        SeriesSamples(seriesID: id("ended"), samples: [Sample(3_000, marker)]),
        SeriesSamples(seriesID: id("head"), samples: [Sample(2_500, 7)], labels: ["__name__": "m", "i": "head"]),
        SeriesSamples(seriesID: id("late"), samples: [Sample(6_000, 6)]),
    ])
    try await engine.append([SeriesSamples(seriesID: id("late"), samples: [Sample(5_500, 5.5)])])
    let matchers = [try LabelMatcher("__name__", .equal, "m")]
    for (from, to) in [(0, 10_000), (0, 2_000), (1_500, 5_600), (2_600, 2_900), (4_500, 5_800)] as [(Int64, Int64)] {
        let full = try await engine.selectSamples(matchers, fromMs: from, toMs: to, budget: .unlimited)
        let newest = try await engine.selectNewestSamples(matchers, fromMs: from, toMs: to, budget: .unlimited)
        #expect(newest.map(\.id) == full.map(\.id), "window \(from)...\(to)")
        for (one, all) in zip(newest, full) {
            #expect(one.samples.count == 1 && one.labels == all.labels)
            #expect(one.samples[0].timestampMs == all.samples.last?.timestampMs, "\(all.labels) in \(from)...\(to)")
            #expect(one.samples[0].value.bitPattern == all.samples.last?.value.bitPattern)
        }
        let visible = try await engine.selectVisibleNewestSamples(matchers, fromMs: from, toMs: to, budget: .unlimited)
        #expect(visible.map(\.samples.count) == newest.map(\.samples.count))
    }
    let all = try await engine.selectNewestSamples(matchers, fromMs: 0, toMs: 10_000, budget: .unlimited)
    let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.labels["i"] ?? "", $0.samples[0]) })
    #expect(byName["ended"]?.isStaleMarker == true, "a marker ends the series: the evaluator sees it")
    #expect(byName["both"]?.value.isNaN == true && byName["both"]?.isStaleMarker == false, "a real NaN is a value")
    #expect(byName["late"]?.timestampMs == 6_000 && byName["head"]?.value == 7 && byName["block"]?.value == 2)
}

/// A read stops once it has decoded more samples than its budget's `sampleLimit`, instead of loading every matching
/// sample and being refused afterwards: memory stays near the limit however many samples the selector matches. The
/// same holds for `query` (the native API's reads), at every resolution.
@Test func aReadStopsWhenItPassesItsSampleLimitInsteadOfLoadingEverything() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-sample-limit"), logger: quietLogger)
    var batch: [SeriesSamples] = []
    for n in 0..<2_000 {
        let samples = (0..<100).map { Sample(Int64($0) * 10_000, Double(n + $0)) }
        batch.append(SeriesSamples(seriesID: StableID(parts: ["limit", String(n)]), samples: samples, labels: ["__name__": "m", "n": String(n)]))
    }
    try await engine.append(batch)
    try await engine.persistHead()
    try await engine.append(batch.map { SeriesSamples(seriesID: $0.seriesID, samples: $0.samples.map { Sample($0.timestampMs + 1_000_000, $0.value) }) })
    let matchers = [try LabelMatcher("__name__", .equal, "m")]
    var budget = QueryBudget.unlimited
    budget.sampleLimit = 10_000
    await #expect(throws: QueryError(message: "query processing would load too many samples into memory in query execution", reason: .tooLarge)) {
        try await engine.selectSamples(matchers, fromMs: 0, toMs: 3_000_000, budget: budget)
    }
    // 400,000 samples match; the read stopped within a few series of the limit (each parallel slice one series over).
    #expect(budget.samplesDecoded > 10_000 && budget.samplesDecoded < 12_000, "\(budget.samplesDecoded) decoded")
    var roomy = QueryBudget.unlimited
    roomy.sampleLimit = 400_000
    let all = try await engine.selectSamples(matchers, fromMs: 0, toMs: 3_000_000, budget: roomy)
    #expect(all.reduce(0) { $0 + $1.samples.count } == 400_000, "a read within its limit is whole")
    for resolution in [Resolution.raw, .minute] {
        var limited = QueryBudget.unlimited
        limited.sampleLimit = 10_000
        let query = RangeQuery(matchers: matchers, fromMs: 0, toMs: 2_000_000, stepMs: 60_000, function: .avg, resolution: resolution)
        await #expect(throws: QueryError.self) { try await engine.query(query, budget: limited) }
        #expect(limited.samplesDecoded < 40_000, "\(resolution): \(limited.samplesDecoded) decoded")
    }
}

/// Reads of more series than one turn of the actor slices (`headAndBlocks`) see every sample exactly once while a
/// persist moves the head into a block and maintenance rolls it up between their turns: raw reads and 1 m reads
/// (where a sample counted both in the head and in a rollup would count twice) alike.
@Test func readsOverManyTurnsSeeEachSampleOnceWhileTheHeadIsPersistedAndRolledUp() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("select-turns"), logger: quietLogger)
    let seriesCount = TimeSeriesEngine.slicesPerTurn * 3 + 100
    try await engine.append((0..<seriesCount).map { n in
        SeriesSamples(seriesID: StableID(parts: ["turns", String(n)]), samples: (0..<30).map { Sample(Int64($0) * 10_000, 1) },
                      labels: ["__name__": "t", "n": String(n)])
    })
    let expected = Double(seriesCount * 30)
    let matchers = [try LabelMatcher("__name__", .equal, "t")]
    // Reads go on until the persist and the maintenance pass have ended, and at least three are made.
    let moved = Flag()
    let reader = Task {
        var reads = 0
        while !moved.isRaised || reads < 3 {
            let raw = try await engine.selectSamples(matchers, fromMs: 0, toMs: 300_000, budget: .unlimited)
            #expect(Double(raw.reduce(0) { $0 + $1.samples.count }) == expected, "raw read \(reads)")
            let minute = try await engine.query(RangeQuery(matchers: matchers, fromMs: 0, toMs: 290_000, stepMs: 3_600_000,
                                                           function: .count, resolution: .minute), budget: .unlimited)
            #expect(minute.series.reduce(0) { $0 + $1.points.reduce(0) { $0 + $1.value } } == expected, "1 m read \(reads)")
            reads += 1
        }
        return reads
    }
    try await engine.persistHead()
    _ = try await engine.maintain()
    moved.raise()
    #expect(try await reader.value >= 3)
}

/// A flag raised once, read from another task.
private final class Flag: Sendable {
    private let raised = Mutex(false)
    var isRaised: Bool { raised.withLock { $0 } }
    func raise() { raised.withLock { $0 = true } }
}
