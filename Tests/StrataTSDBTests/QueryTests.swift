import Foundation
import Logging
import StrataCore
import Testing
@testable import StrataTSDB

// MARK: - Naive references

/// A rollup bucket computed the obvious way: all non-NaN samples of one period at once.
struct NaiveBucket: Equatable {
    var start: Int64
    var min: Double
    var max: Double
    var sum: Double
    var count: Double
    var last: Double
}

func naiveBuckets(_ samples: [Sample], resolutionMs: Int64) -> [NaiveBucket] {
    // Staleness markers end a series and are no values; a real NaN is a value (Prometheus's *_over_time:
    // min and max skip it unless all are NaN, sum becomes NaN, count counts it).
    let values = samples.filter { !$0.isStaleMarker }
    let groups = Dictionary(grouping: values) { resolutionMs == 0 ? $0.timestampMs : alignDown($0.timestampMs, resolutionMs) }
    return groups.keys.sorted().map { start in
        let members = groups[start]!.sorted { $0.timestampMs < $1.timestampMs }
        let values = members.map(\.value)
        let low = values.dropFirst().reduce(values[0]) { $0.isNaN || $1 < $0 ? $1 : $0 }
        let high = values.dropFirst().reduce(values[0]) { $0.isNaN || $1 > $0 ? $1 : $0 }
        return NaiveBucket(start: start, min: low, max: high, sum: values.reduce(0, +),
                           count: Double(values.count), last: members.last!.value)
    }
}

/// The documented meaning of a range query, computed from all samples without the engine's code paths.
func naiveQuery(_ samples: [Sample], _ query: RangeQuery, resolutionMs: Int64) -> [Sample] {
    let step = query.stepMs
    let start = alignDown(query.fromMs, step)
    let end = alignDown(query.toMs, step) + step - 1  // the last step whole
    let buckets = naiveBuckets(samples, resolutionMs: resolutionMs).filter { $0.start >= start - step && $0.start <= end }
    var points: [Sample] = []
    var window = start
    while window <= query.toMs {
        let inside = buckets.filter { $0.start >= window && $0.start < window + step }
        if !inside.isEmpty {
            let baseline = buckets.last { $0.start >= window - step && $0.start < window }
            var rise = 0.0
            var previous = baseline?.last
            for bucket in inside {
                if let before = previous {
                    rise += bucket.last >= before ? bucket.last - before : bucket.last
                } else if bucket.last > bucket.min {
                    rise += bucket.last - bucket.min  // the rise within a series' first bucket
                }
                previous = bucket.last
            }
            let sum = inside.map(\.sum).reduce(0, +)
            let count = inside.map(\.count).reduce(0, +)
            let value: Double
            switch query.function {
            case .last: value = inside.last!.last
            case .avg: value = sum / count
            case .min: value = inside.dropFirst().map(\.min).reduce(inside[0].min) { $0.isNaN || $1 < $0 ? $1 : $0 }
            case .max: value = inside.dropFirst().map(\.max).reduce(inside[0].max) { $0.isNaN || $1 > $0 ? $1 : $0 }
            case .sum: value = sum
            case .count: value = count
            case .increase: value = rise
            case .rate: value = rise / (Double(step) / 1000)
            }
            points.append(Sample(window, value))
        }
        window += step
    }
    return points
}

/// Equal, or equal up to floating-point summation order.
func close(_ a: Double, _ b: Double) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a == b { return true }
    // Relative, with a floor of 1: an average or rate that cancels to about 0 differs in its last bits
    // between summation orders (seen: -2.2e-15 against -1.1e-15 for an avg over rollups).
    return abs(a - b) <= 1e-9 * Swift.max(1, abs(a), abs(b))
}

func close(_ a: [Sample], _ b: [Sample]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.timestampMs == $1.timestampMs && close($0.value, $1.value) }
}

/// Counters with resets and decimal gauges over days, with late samples, resends and conflicts.
func dailyWorkload(series: Int, batches: Int, using generator: inout some RandomNumberGenerator) -> [[SeriesSamples]] {
    var clocks = [Int64](repeating: 1_700_000_000_000, count: series)
    var counters = [Double](repeating: 0, count: series)
    var last: [Int: Sample] = [:]
    var workload: [[SeriesSamples]] = []
    for _ in 0..<batches {
        var batch: [SeriesSamples] = []
        for index in 0..<series where Int.random(in: 0..<4, using: &generator) > 0 {
            var samples: [Sample] = []
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let roll = Int.random(in: 0..<20, using: &generator)
                let sample: Sample
                if roll == 0, let previous = last[index] {
                    sample = previous
                } else if roll == 1, let previous = last[index] {
                    sample = Sample(previous.timestampMs, previous.value + 1)
                } else if roll <= 3 {
                    let back = Int64.random(in: 1...5_400_000, using: &generator)
                    sample = Sample(clocks[index] - back, Double(Int.random(in: 0...1000, using: &generator)) / 4)
                } else {
                    clocks[index] += Int64.random(in: 1_000...900_000, using: &generator)
                    if index % 2 == 0 {
                        counters[index] = roll == 4 ? 0 : counters[index] + Double(Int.random(in: 0...500, using: &generator))
                        sample = Sample(clocks[index], counters[index])
                    } else if roll == 5 {
                        sample = Sample(clocks[index], .nan)  // a real NaN: a value
                    } else if roll == 6 {
                        sample = Sample(clocks[index], Double(bitPattern: Sample.staleNaNBits))  // a staleness marker
                    } else {
                        sample = Sample(clocks[index], Double(Int.random(in: -5000...5000, using: &generator)) / 100)
                    }
                }
                samples.append(sample)
                if sample.timestampMs >= (last[index]?.timestampMs ?? .min) { last[index] = sample }
            }
            batch.append(SeriesSamples(seriesID: StableID(parts: ["d\(index)"]), samples: samples,
                                       labels: ["__name__": index % 2 == 0 ? "requests_total" : "temperature", "n": "\(index)"]))
        }
        workload.append(batch)
    }
    return workload
}

/// An engine fed `workload` with persists at random points and a maintenance pass at the end.
func loadedEngine(_ workload: [[SeriesSamples]], directory: String, reference: inout ReferenceStore,
                  using generator: inout some RandomNumberGenerator) async throws -> TimeSeriesEngine {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = 2 * 3_600_000
    options.automaticPersist = false  // persisted at random points below
    options.automaticMaintenance = false
    options.retentionMs = [:]
    let engine = try TimeSeriesEngine(directory: directory, options: options, logger: quietLogger)
    for batch in workload {
        #expect(try await engine.append(batch) == reference.append(batch))
        if Int.random(in: 0..<15, using: &generator) == 0 { try await engine.persistHead() }
    }
    return engine
}

// MARK: - Tests

@Test func rollupsEqualANaiveRecomputationAcrossPersistsAndCompaction() async throws {
    var generator = SystemRandomNumberGenerator()
    let directory = scratchDirectory("rollups")
    var reference = ReferenceStore(window: 3_600_000)
    let engine = try await loadedEngine(dailyWorkload(series: 8, batches: 400, using: &generator), directory: directory,
                                        reference: &reference, using: &generator)
    let report = try await engine.maintain()
    #expect(report.compactions > 0, "days of data in small blocks get compacted")
    try await engine.persistHead() // some late samples stay in the head: buckets meet across head and blocks
    for resolution in [Resolution.minute, .hour] {
        for index in 0..<8 {
            let id = StableID(parts: ["d\(index)"])
            let expected = naiveBuckets(reference.samples(id, from: .min, to: .max), resolutionMs: resolution.milliseconds)
            guard let first = expected.first, let last = expected.last else { continue }
            let matchers = [try LabelMatcher("n", .equal, "\(index)")]
            var columns: [QueryFunction: [Sample]] = [:]
            for function in [QueryFunction.min, .max, .sum, .count, .last] {
                let query = RangeQuery(matchers: matchers, fromMs: first.start, toMs: last.start, stepMs: resolution.milliseconds,
                                       function: function, resolution: resolution)
                columns[function] = try await engine.query(query).series.first?.points ?? []
            }
            #expect(columns[.count]!.count == expected.count, "one point per bucket at \(resolution)")
            #expect(close(columns[.min]!, expected.map { Sample($0.start, $0.min) }))
            #expect(close(columns[.max]!, expected.map { Sample($0.start, $0.max) }))
            #expect(close(columns[.sum]!, expected.map { Sample($0.start, $0.sum) }))
            #expect(columns[.count]! == expected.map { Sample($0.start, $0.count) })
            #expect(columns[.last]! == expected.map { Sample($0.start, $0.last) })
        }
    }
}

@Test func queriesEqualANaiveReferenceForEveryFunctionStepAndResolution() async throws {
    var generator = SystemRandomNumberGenerator()
    var reference = ReferenceStore(window: 3_600_000)
    let engine = try await loadedEngine(dailyWorkload(series: 10, batches: 300, using: &generator),
                                        directory: scratchDirectory("query"), reference: &reference, using: &generator)
    try await engine.maintain()
    let base: Int64 = 1_700_000_000_000
    for _ in 0..<60 {
        let resolution = Resolution.allCases.randomElement(using: &generator)!
        let function = QueryFunction.allCases.randomElement(using: &generator)!
        let unit = max(resolution.milliseconds, 1_000)
        let stepMs = unit * [1, 2, 5, 15, 60].randomElement(using: &generator)!
        let from = base + Int64.random(in: -3_600_000...86_400_000, using: &generator)
        let to = from + min(stepMs * 500, Int64.random(in: 0...(3 * 86_400_000), using: &generator))
        let selector = ["requests_total", "temperature", #"{n=~"[1-4]"}"#, #"{__name__=~".+", n!="3"}"#].randomElement(using: &generator)!
        let query = RangeQuery(matchers: try SeriesSelector.parse(selector), fromMs: from, toMs: to, stepMs: stepMs,
                               function: function, resolution: resolution)
        let result = try await engine.query(query)
        #expect(result.resolution == resolution)
        let selected = try await engine.select(query.matchers)
        var expected: [StableID: [Sample]] = [:]
        for item in selected {
            let points = naiveQuery(reference.samples(item.id, from: .min, to: .max), query, resolutionMs: resolution.milliseconds)
            if !points.isEmpty { expected[item.id] = points }
        }
        #expect(Set(result.series.map(\.id)) == Set(expected.keys), "\(selector) \(function) \(resolution)")
        for series in result.series {
            #expect(close(series.points, expected[series.id] ?? []), "\(selector) \(function) step \(stepMs) at \(resolution)")
        }
    }
}

@Test func labelMatchersSelectLikePrometheus() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("matchers"), logger: quietLogger)
    let sets: [Labels] = [
        ["__name__": "up", "job": "api", "instance": "a:9100"],
        ["__name__": "up", "job": "db", "instance": "b:9100"],
        ["__name__": "up", "instance": "c:9100"],
        ["__name__": "load1", "job": "api", "instance": "a:9100"],
    ]
    var ids: [StableID] = []
    for (index, labels) in sets.enumerated() {
        let id = StableID(parts: ["m\(index)"])
        ids.append(id)
        try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(1_000, 1)], labels: labels)])
    }
    func names(_ selector: String) async throws -> Set<Int> {
        Set(try await engine.select(try SeriesSelector.parse(selector)).map { ids.firstIndex(of: $0.id)! })
    }
    #expect(try await names("up") == [0, 1, 2])
    #expect(try await names(#"up{job="api"}"#) == [0])
    #expect(try await names(#"up{job!="api"}"#) == [1, 2], "!= matches series without the label")
    #expect(try await names(#"up{job=""}"#) == [2], "=\"\" matches only series without the label")
    #expect(try await names(#"{job=~"a.*|d."}"#) == [0, 1, 3])
    #expect(try await names(#"{job=~"p"}"#) == [], "regular expressions are anchored")
    #expect(try await names(#"up{instance!~"[ab]:.*"}"#) == [2])
    #expect(try await names(#"{__name__=~"up|load1", job="api"}"#) == [0, 3])
    #expect(try await names(#"nothing_here"#) == [])
    #expect(await engine.labelValues("job") == ["api", "db"])
    #expect(await engine.labelNames() == ["__name__", "instance", "job"])
}

@Test func selectorsParseAndReportErrorsWithTheirPosition() throws {
    let matchers = try SeriesSelector.parse(#"http_requests_total{code=~"5..", method!="GET" ,path='/a\"b'}"#)
    #expect(matchers.map(\.description) == [#"__name__="http_requests_total""#, #"code=~"5..""#, #"method!="GET""#, #"path="/a\"b""#])
    #expect(try SeriesSelector.parse("  up  ").map(\.description) == [#"__name__="up""#])
    for (text, fragment) in [
        ("", "empty selector"), (#"{job!="x"}"#, "matches every series"), (#"up{job="x""#, "closing }"),
        (#"up{job~"x"}"#, "expected one of"), (#"up{job=x}"#, "quoted value"), (#"up{job="x}"#, "unterminated"),
        (#"up{job=~"("}"#, "invalid regular expression"), ("up down", "unexpected"),
    ] {
        #expect(throws: SelectorError.self, "\(text)") { try SeriesSelector.parse(text) }
        do {
            _ = try SeriesSelector.parse(text)
        } catch {
            #expect(error.description.contains(fragment), "\(text): \(error)")
        }
    }
}

@Test func retentionDeletesWholeBlocksPerResolution() async throws {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = .max
    options.automaticMaintenance = false
    let day: Int64 = 86_400_000
    options.retentionMs = [.raw: 2 * day, .minute: 4 * day, .hour: 30 * day]
    let base: Int64 = 1_700_006_400_000
    // Retention runs behind the store's clock: now is the newest sample's minute (day 5).
    options.clock = { base + 5 * day + 9 * 60_000 }
    let engine = try TimeSeriesEngine(directory: scratchDirectory("retention"), options: options, logger: quietLogger)
    let id = StableID(parts: ["kept"])
    for dayIndex in 0..<6 as Range<Int64> {
        let samples = (0..<10).map { Sample(base + dayIndex * day + $0 * 60_000, Double($0)) }
        try await engine.append([SeriesSamples(seriesID: id, samples: samples, labels: ["__name__": "kept"])])
        try await engine.persistHead()
    }
    #expect(await engine.blockCount(.raw) == 6)
    let report = try await engine.maintain()
    // Newest sample is in day 5: raw keeps days ≥ 3 (blocks wholly older go). The expired raw blocks were not
    // rolled up yet: they leave their buckets behind in one 1 min and one 1 h block (days 0–2), which the 1 min
    // retention (days ≥ 1) keeps whole.
    #expect(await engine.blockCount(.raw) == 3)
    #expect(report.expiredBlocks == 3)
    let rollupBlocks = (await engine.blockCount(.minute), await engine.blockCount(.hour))
    #expect(rollupBlocks.0 >= 1 && rollupBlocks.1 >= 1, "rollups outlive the raw blocks they summarise")
    let raw = try await engine.samples(series: id, fromMs: .min, toMs: .max)
    #expect(raw.first?.timestampMs == base + 3 * day, "raw history starts where retention cut whole blocks")
    let old = try await engine.query(RangeQuery(matchers: try SeriesSelector.parse("kept"), fromMs: base, toMs: base + 6 * day,
                                                stepMs: day, function: .count))
    #expect(old.resolution == .hour, "a range beyond raw and 1 min retention is answered from 1 h rollups")
    #expect(old.series.first?.points.map(\.value) == [10, 10, 10, 10, 10, 10])
}

@Test func resolutionIsChosenFromStepUnlessNamed() async throws {
    let now: Int64 = 10 * 86_400_000
    var options = TimeSeriesEngine.Options()
    options.clock = { now }
    let engine = try TimeSeriesEngine(directory: scratchDirectory("choice"), options: options, logger: quietLogger)
    try await engine.append([SeriesSamples(seriesID: StableID(parts: ["c"]), samples: [Sample(now, 1)])])
    let matchers = try SeriesSelector.parse("c")
    #expect(await engine.resolution(for: RangeQuery(matchers: matchers, fromMs: now - 3_600_000, toMs: now, stepMs: 15_000)) == .raw)
    #expect(await engine.resolution(for: RangeQuery(matchers: matchers, fromMs: now - 3_600_000, toMs: now, stepMs: 60_000)) == .minute)
    #expect(await engine.resolution(for: RangeQuery(matchers: matchers, fromMs: now - 86_400_000, toMs: now, stepMs: 3_600_000)) == .hour)
    #expect(await engine.resolution(for: RangeQuery(matchers: matchers, fromMs: now - 3_600_000, toMs: now, stepMs: 3_600_000,
                                                    resolution: .raw)) == .raw)
    await #expect(throws: QueryError.self) {
        try await engine.query(RangeQuery(matchers: matchers, fromMs: 0, toMs: now, stepMs: 1_000))
    }
}

@Test func aResendOfAPersistedSampleIsADuplicateNotASecondCopy() async throws {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = .max
    let engine = try TimeSeriesEngine(directory: scratchDirectory("resend"), options: options, logger: quietLogger)
    let id = StableID(parts: ["r"])
    try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(1_000, 1), Sample(2_000, 2), Sample(3_000, 3)])])
    try await engine.persistHead()
    #expect(try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(2_000, 2)])]) == AppendSummary(duplicates: 1))
    #expect(try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(2_000, 5)])]) == AppendSummary(conflicts: 1, firstRejection: .conflict))
    #expect(try await engine.appendBatch(SampleBatch([SeriesSamples(seriesID: id, samples: [Sample(1_000, 1)])]), policy: AppendPolicy(allOrNothing: true))
        == AppendSummary(duplicates: 1))
    let counts = try await engine.query(RangeQuery(matchers: [], fromMs: 0, toMs: 3_000, stepMs: 10_000, function: .count, resolution: .minute))
    #expect(counts.series.isEmpty, "no matchers select nothing")
    #expect(try await engine.samples(series: id, fromMs: .min, toMs: .max).count == 3)
}

@Test func interruptedBlockTransactionsFinishOrVanishOnOpen() async throws {
    let directory = scratchDirectory("transactions")
    let options = manuallyPersisted()
    let id = StableID(parts: ["t"])
    do {
        let engine = try TimeSeriesEngine(directory: directory, options: options, logger: quietLogger)
        // Two days of data: the first day's window is complete, so maintenance rolls the raw block up (a 1 min
        // and a 1 h block beside it).
        try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(1_000, 1), Sample(2 * 86_400_000, 2)], labels: ["__name__": "t"])])
        try await engine.close()
        try await engine.maintain()
    }
    let root = directory + "/blocks"
    let rawBlock = root + "/raw/" + Files.list(root + "/raw")[0]
    // A committed transaction that removes the raw block, interrupted before it ran: finished on open.
    var committed = try BlockTransaction(root: root)
    committed.remove(rawBlock)
    try Files.writeSynced(committed.staging + "/commit", Array("remove raw/\(rawBlock.split(separator: "/").last!)\n".utf8))
    // An uncommitted transaction with a staged block: dropped on open.
    var uncommitted = try BlockTransaction(root: root)
    var writer = try uncommitted.writer(.raw)
    try writer.add(id: id, labels: ["__name__": "t"], columns: [[Sample(5_000, 5)]])
    _ = try uncommitted.stage(&writer)

    let reopened = try TimeSeriesEngine(directory: directory, options: options, logger: quietLogger)
    #expect(await reopened.blockCount(.raw) == 0, "the committed removal was carried out")
    #expect(try await reopened.samples(series: id, fromMs: .min, toMs: .max).isEmpty, "the uncommitted block never appeared")
    #expect(Files.list(root).filter { $0.hasPrefix(".") }.isEmpty, "no staging directory is left")
    #expect(await reopened.blockCount(.minute) == 1, "other resolutions untouched")
}

/// Issue 15, point 3: a query ran on after its client left and had no deadline.
@Test func aQueryStopsAtItsDeadlineWhenItsClientLeavesOrWhenCancelled() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("budget"), logger: quietLogger)
    for index in 0..<3_000 {
        let labels: Labels = ["__name__": "wide", "v": "value-\(index)"]
        try await engine.append([SeriesSamples(seriesID: StableID(parts: ["wide", "\(index)"]), samples: [Sample(1_000, 1)], labels: labels)])
    }
    let query = RangeQuery(matchers: [try LabelMatcher("v", .matchesRegex, "value-.*")], fromMs: 0, toMs: 60_000, stepMs: 10_000)
    func reason(_ budget: QueryBudget) async -> QueryError.Reason? {
        do {
            _ = try await engine.query(query, budget: budget)
            return nil
        } catch let error as QueryError {
            return error.reason
        } catch {
            return nil
        }
    }
    #expect(try await engine.query(query).series.count == 3_000, "unbudgeted, it answers")
    #expect(await reason(QueryBudget(timeout: .zero)) == .timeout)
    #expect(await reason(QueryBudget(timeout: .seconds(60), isAbandoned: { true })) == .canceled)
    // Each check of this budget takes a millisecond, so the query would run for seconds; cancelling its task stops it.
    let slow = QueryBudget(timeout: .seconds(600), isAbandoned: { usleep(1_000); return false })
    let task = Task { await reason(slow) }
    try await Task.sleep(for: .milliseconds(100))
    task.cancel()
    #expect(await task.value == QueryError.Reason.canceled)
}
