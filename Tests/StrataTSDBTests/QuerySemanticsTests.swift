import Foundation
import StrataCore
import Testing
@testable import StrataTSDB

/// Issue 18: all-NaN series (a summary's quantiles without observations) were dropped from query results,
/// staleness markers were returned as values, and the first bucket's rate at 1 m answered 0.
@Test func stalenessMarkersEndASeriesRealNaNsAreValuesAndTheFirstMinutesRateAgreesWithRaw() async throws {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = .max
    options.automaticMaintenance = false
    options.retentionMs = [:]
    let engine = try TimeSeriesEngine(directory: scratchDirectory("nan"), options: options, logger: quietLogger)
    let base: Int64 = 1_700_000_040_000  // a whole minute
    let stale = Double(bitPattern: Sample.staleNaNBits)
    let quantile = StableID(parts: ["q"]), gauge = StableID(parts: ["g"]), counter = StableID(parts: ["c"])
    _ = try await engine.append([
        SeriesSamples(seriesID: quantile, samples: (0..<6).map { Sample(base + Int64($0) * 10_000, .nan) },
                      labels: ["__name__": "gc_seconds", "quantile": "0.5"]),
        SeriesSamples(seriesID: gauge, samples: [Sample(base, 1), Sample(base + 10_000, 2), Sample(base + 20_000, stale)],
                      labels: ["__name__": "temperature"]),
        SeriesSamples(seriesID: counter, samples: (0..<6).map { Sample(base + Int64($0) * 10_000, 100 + Double($0) * 3) },
                      labels: ["__name__": "requests_total"]),
    ])
    try await engine.persistHead()

    let raw = try await engine.samples(series: gauge, fromMs: base, toMs: base + 60_000)
    #expect(raw == [Sample(base, 1), Sample(base + 10_000, 2)], "the marker is no value")
    let byStep = try await engine.query(RangeQuery(matchers: [try LabelMatcher("__name__", .equal, "temperature")], fromMs: base,
                                                   toMs: base + 50_000, stepMs: 10_000, function: .last, resolution: .raw))
    #expect(byStep.series.first?.points == [Sample(base, 1), Sample(base + 10_000, 2)], "the series ends at its marker")

    let nan = try await engine.query(RangeQuery(matchers: [try LabelMatcher("__name__", .equal, "gc_seconds")], fromMs: base,
                                                toMs: base + 50_000, stepMs: 60_000, function: .last, resolution: .raw))
    #expect(nan.series.count == 1 && nan.series.first?.points.count == 1 && nan.series.first?.points.first?.value.isNaN == true,
            "an all-NaN series is returned, as NaN")
    #expect(try await engine.samples(series: quantile, fromMs: base, toMs: base + 60_000).allSatisfy { $0.value.isNaN }, "real NaNs are values")

    for resolution in [Resolution.raw, .minute] {
        let rate = try await engine.query(RangeQuery(matchers: [try LabelMatcher("__name__", .equal, "requests_total")], fromMs: base,
                                                     toMs: base + 50_000, stepMs: 60_000, function: .rate, resolution: resolution))
        #expect(rate.series.first?.points == [Sample(base, 15.0 / 60)], "the first minute's rate at \(resolution)")
    }
}

/// Issue 18: each persist wrote 1 min and 1 h rollups beside the raw block, larger together than the raw data
/// of recent hours. A persisted block is now stored once; maintenance rolls it up once its day is complete, and
/// queries at every level answer the same before and after.
@Test func aPersistedBlockIsStoredOnceAndRolledUpWhenItsDayIsComplete() async throws {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = 2 * 3_600_000
    options.automaticMaintenance = false
    options.automaticPersist = false
    options.retentionMs = [:]
    let engine = try TimeSeriesEngine(directory: scratchDirectory("lazy-rollups"), options: options, logger: quietLogger)
    let day: Int64 = 86_400_000
    let base: Int64 = 1_700_006_400_000 / day * day
    let id = StableID(parts: ["lazy"])
    try await engine.append([SeriesSamples(seriesID: id, samples: (0..<360).map { Sample(base + Int64($0) * 10_000, Double($0)) },
                                           labels: ["__name__": "lazy"])])
    try await engine.persistHead()
    let atPersist = (await engine.blockCount(.minute), await engine.blockCount(.hour))
    #expect(atPersist == (0, 0), "recent data is stored once")
    func answers() async throws -> [[Sample]] {
        var all: [[Sample]] = []
        for (resolution, step) in [(Resolution.minute, Int64(60_000)), (.hour, 3_600_000)] {
            for function in [QueryFunction.last, .min, .max, .sum, .count, .rate] {
                let result = try await engine.query(RangeQuery(matchers: try SeriesSelector.parse("lazy"), fromMs: base, toMs: base + day,
                                                               stepMs: step, function: function, resolution: resolution))
                all.append(result.series.first?.points ?? [])
            }
        }
        return all
    }
    let before = try await answers()
    #expect(before[4].first?.value == 6, "1 min buckets from the raw block: six samples in the first minute")

    // A sample two days later completes the day: maintenance rolls the block up.
    try await engine.append([SeriesSamples(seriesID: id, samples: [Sample(base + 2 * day, 1)])])
    try await engine.persistHead()
    try await engine.maintain()
    let rolled = (await engine.blockCount(.minute), await engine.blockCount(.hour))
    #expect(rolled.0 >= 1 && rolled.1 >= 1)
    #expect(try await answers() == before, "the same answers from the rollups")
}

/// Review of issue 18: after a restart every series starts empty, so a resend of a persisted sample was stored a
/// second time, and 1 min answers bucketing raw blocks on the fly counted it twice.
@Test func aResendOfAPersistedSampleAfterARestartIsADuplicateAndCountedOnce() async throws {
    let directory = scratchDirectory("resend-restart")
    let options = manuallyPersisted()
    let id = StableID(parts: ["again"])
    let samples = [Sample(1_700_000_000_000, 1), Sample(1_700_000_010_000, 2)]
    do {
        let engine = try TimeSeriesEngine(directory: directory, options: options, logger: quietLogger)
        try await engine.append([SeriesSamples(seriesID: id, samples: samples, labels: ["__name__": "again"])])
        try await engine.close()
    }
    let reopened = try TimeSeriesEngine(directory: directory, options: options, logger: quietLogger)
    #expect(try await reopened.append([SeriesSamples(seriesID: id, samples: [samples[0]])]) == AppendSummary(duplicates: 1))
    #expect(try await reopened.appendBatch(SampleBatch([SeriesSamples(seriesID: id, samples: [samples[1]])]), policy: AppendPolicy(allOrNothing: true))
        == AppendSummary(duplicates: 1), "the all-or-nothing path (remote write) too")
    #expect(try await reopened.append([SeriesSamples(seriesID: id, samples: [Sample(samples[1].timestampMs, 9)])]).firstRejection == .conflict)
    let counts = try await reopened.query(RangeQuery(matchers: try SeriesSelector.parse("again"), fromMs: samples[0].timestampMs,
                                                     toMs: samples[1].timestampMs, stepMs: 60_000, function: .count, resolution: .minute))
    #expect(counts.series.first?.points.map(\.value) == [2], "each sample once")
}

/// Options of an engine persisted only by its test (2 h blocks).
func manuallyPersisted() -> TimeSeriesEngine.Options {
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = 2 * 3_600_000
    options.automaticPersist = false
    return options
}

/// Issue 18: a persisted block held a 2 h series of 10 s samples as three chunks of 240, each with its own header
/// and index entry; blocks cut chunks at 1,024 samples (the head still at 240).
@Test func aPersistedBlockHoldsTwoHoursOfTenSecondSamplesInOneChunk() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("one-chunk"), options: manuallyPersisted(), logger: quietLogger)
    let id = StableID(parts: ["dense"])
    let samples = (0..<720).map { Sample(1_700_000_000_000 + Int64($0) * 10_000, Double($0 % 17)) }
    try await engine.append([SeriesSamples(seriesID: id, samples: samples, labels: ["__name__": "dense"])])
    try await engine.persistHead()
    let chunks = await engine.blocks[.raw]?.first?.chunkRefs(at: 0).count
    #expect(chunks == 1)
    #expect(try await engine.samples(series: id, fromMs: .min, toMs: .max) == samples, "read back exactly")
    let window = try await engine.samples(series: id, fromMs: samples[100].timestampMs, toMs: samples[102].timestampMs)
    #expect(window == Array(samples[100...102]), "a narrow range out of the one chunk")
}

/// Review of issue 18: blocks of index version 2 predate rollups, so they must read as not rolled up (their samples
/// reach 1 min and 1 h answers on the fly and are rolled up by maintenance); version 3 blocks were written with
/// their rollups; version 4 says so itself.
@Test func blockIndexVersionsSayWhetherRollupsHoldTheirSamples() throws {
    var v2 = BinaryWriter(capacity: 32)
    v2.write(raw: BlockIndex.magic)
    v2.write(byte: 2)
    v2.write(varint: 1)
    v2.write(varint: 2)
    for _ in 0..<3 { v2.write(uvarint: 0) }  // samples, symbols, series
    var bytes = v2.bytes
    let checksum = WALFraming.crc(bytes[...])
    for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8(truncatingIfNeeded: checksum >> UInt32(shift))) }
    #expect(try BlockIndex.decode(bytes).rolledUp == false)

    var fresh = BlockIndex(minT: 1, maxT: 2, samples: 0, entries: [])
    fresh.rolledUp = false
    #expect(try BlockIndex.decode(fresh.encode()).rolledUp == false)
    fresh.rolledUp = true
    #expect(try BlockIndex.decode(fresh.encode()).rolledUp == true)
}

/// Issue 18, as a property: for counters without resets (a reset inside a bucket is approximated, docs/query.md), `rate` and `increase` at the 1 min
/// level equal those of the raw samples for every step that is a whole number of minutes — the first bucket of
/// a series included (its rise from its first sample), across the head, raw blocks bucketed on the fly and
/// stored rollups.
@Test func firstBucketsAndEveryOtherRateAtOneMinuteEqualTheRawSamples() async throws {
    var generator = SystemRandomNumberGenerator()
    let engine = try TimeSeriesEngine(directory: scratchDirectory("rate-property"), options: manuallyPersisted(), logger: quietLogger)
    let day: Int64 = 86_400_000
    let base: Int64 = 1_700_006_400_000 / day * day
    for index in 0..<12 {
        var time = base + Int64.random(in: 0..<600_000, using: &generator)
        var value = Double(Int.random(in: 0...1_000, using: &generator))
        var samples: [Sample] = []
        while time < base + day + 6 * 3_600_000 {
            samples.append(Sample(time, value))
            time += Int64.random(in: 1_000...240_000, using: &generator)
            if Int.random(in: 0..<50, using: &generator) == 0 { time += Int64.random(in: 600_000...7_200_000, using: &generator) }
            value += Double(Int.random(in: 0...40, using: &generator)) / 4
        }
        try await engine.append([SeriesSamples(seriesID: StableID(parts: ["rate\(index)"]), samples: samples,
                                               labels: ["__name__": "requests_total", "n": "\(index)"])])
        if index == 5 { try await engine.persistHead() }
    }
    try await engine.persistHead()
    try await engine.maintain()
    #expect(await engine.blockCount(.minute) >= 1, "the first day is rolled up: stored rollups are compared too")
    try await engine.append([SeriesSamples(seriesID: StableID(parts: ["rate0"]), samples: [Sample(base + day + 7 * 3_600_000, 1e9)])])

    for _ in 0..<40 {
        let stepMs = 60_000 * Int64([1, 2, 5, 15].randomElement(using: &generator)!)
        let from = base + Int64.random(in: 0..<(day + 6 * 3_600_000), using: &generator)
        let to = from + Int64.random(in: 0...(6 * 3_600_000), using: &generator)
        for function in [QueryFunction.rate, .increase] {
            func answer(_ resolution: Resolution) async throws -> [StableID: [Sample]] {
                let result = try await engine.query(RangeQuery(matchers: try SeriesSelector.parse("requests_total"), fromMs: from, toMs: to,
                                                               stepMs: stepMs, function: function, resolution: resolution))
                return Dictionary(uniqueKeysWithValues: result.series.map { ($0.id, $0.points) })
            }
            let raw = try await answer(.raw), minute = try await answer(.minute)
            #expect(raw.keys.sorted { $0.rawValue < $1.rawValue } == minute.keys.sorted { $0.rawValue < $1.rawValue })
            for (id, points) in raw {
                #expect(close(points, minute[id] ?? []), "\(function) step \(stepMs) from \(from) to \(to): \(points) against \(minute[id] ?? [])")
            }
        }
    }
}

/// Issue 18: rollup blocks stored five columns per series whatever the data, so a series scraped once a minute
/// cost five times its raw size at 1 m. Columns that equal `last` in every bucket (min, max and sum of one-sample
/// buckets, a counter's max) and counts of 1 are no longer stored; reads derive them and answer the same.
@Test func rollupColumnsThatRepeatLastAreNotStoredAndReadTheSame() async throws {
    var options = manuallyPersisted()
    options.automaticMaintenance = false
    options.retentionMs = [:]
    let engine = try TimeSeriesEngine(directory: scratchDirectory("derived-columns"), options: options, logger: quietLogger)
    let day: Int64 = 86_400_000
    let base: Int64 = 1_700_006_400_000 / day * day
    let gauge = StableID(parts: ["minutely"]), counter = StableID(parts: ["counter"])
    var value = 0.0
    try await engine.append([
        SeriesSamples(seriesID: gauge, samples: (0..<1_440).map { Sample(base + Int64($0) * 60_000 + 7_000, Double(($0 * 37) % 101) / 4) },
                      labels: ["__name__": "minutely"]),
        SeriesSamples(seriesID: counter, samples: (0..<8_640).map { index in
            value += Double(index % 7)
            return Sample(base + Int64(index) * 10_000, value)
        }, labels: ["__name__": "counter_total"]),
    ])
    try await engine.persistHead()
    func answers() async throws -> [[Sample]] {
        var all: [[Sample]] = []
        for name in ["minutely", "counter_total"] {
            for function in QueryFunction.allCases {
                let query = RangeQuery(matchers: try SeriesSelector.parse(name), fromMs: base, toMs: base + day - 1, stepMs: 120_000,
                                       function: function, resolution: .minute)
                all.append(try await engine.query(query).series.first?.points ?? [])
            }
        }
        return all
    }
    let before = try await answers()
    try await engine.append([SeriesSamples(seriesID: gauge, samples: [Sample(base + 2 * day, 1)])])  // completes the day
    try await engine.persistHead()
    try await engine.maintain()
    let minute = try #require(await engine.blocks[.minute]?.first)
    func storedColumns(_ id: StableID) -> Set<Int> { Set(minute.chunkRefs(at: minute.lookup[id]!).map(\.column)) }
    #expect(storedColumns(gauge) == [RollupColumn.last.rawValue], "one sample a minute: last alone")
    #expect(storedColumns(counter) == [RollupColumn.min.rawValue, RollupColumn.sum.rawValue, RollupColumn.count.rawValue,
                                       RollupColumn.last.rawValue], "a counter's max is its last")
    #expect(try await answers() == before, "every function answers the same from the rollups")
    let raw = await engine.blocks[.raw]?.filter { $0.index.minT < base + day }.reduce(0) { $0 + $1.sizeOnDisk } ?? 0
    #expect(minute.sizeOnDisk < raw, "a day at 1 m stores less than its raw samples: \(minute.sizeOnDisk) against \(raw) bytes")
}
