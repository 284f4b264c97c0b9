import Foundation
import StrataCore
import Testing
@testable import StrataTSDB

/// Issue 18: every WAL sample named its series by the 64-bit id (about 19 bytes a sample). Samples now name
/// series by head reference, defined in the log once per persist epoch and process (`RefSampleRecord`).
@Suite struct WALReferenceTests {
    let base: Int64 = 1_700_000_000_000

    func walBytes(_ directory: String) -> Int {
        let wal = directory + "/wal"
        return ((try? FileManager.default.contentsOfDirectory(atPath: wal)) ?? []).reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: wal + "/" + name)[.size] as? Int) ?? 0)
        }
    }

    func options() -> TimeSeriesEngine.Options {
        var options = manuallyPersisted()
        options.walPreallocate = false  // the log's size is its records
        return options
    }

    @Test func aSampleOfAKnownSeriesCostsAboutTwelveBytesOfLog() async throws {
        let directory = scratchDirectory("wal-ref-size")
        let engine = try TimeSeriesEngine(directory: directory, options: options(), logger: quietLogger)
        let ids = (0..<2_000).map { StableID(parts: ["size\($0)"]) }
        func round(_ number: Int) -> SampleBatch {
            var batch = SampleBatch(capacity: ids.count)
            for (index, id) in ids.enumerated() { batch.append(id, base + Int64(number) * 10_000, Double(number * 7 + index) / 8) }
            for (index, id) in ids.enumerated() where number == 0 { batch.labels[id] = ["__name__": "size", "i": "\(index)"] }
            return batch
        }
        try await engine.appendBatch(round(0), policy: AppendPolicy())
        let first = walBytes(directory)
        for number in 1...10 { try await engine.appendBatch(round(number), policy: AppendPolicy(allOrNothing: number % 2 == 0)) }
        let perSample = Double(walBytes(directory) - first) / Double(10 * ids.count)
        #expect(perSample < 13.5, "\(perSample) bytes a sample")
    }

    /// A restarted process numbers its series in another order (the series it replays first), so the log holds
    /// one reference defined differently by two processes; replay follows the definitions in log order.
    @Test func referencesReplayAcrossRestartsThatRenumberSeriesAndAcrossPersists() async throws {
        let directory = scratchDirectory("wal-ref-restart")
        let a = StableID(parts: ["a"]), b = StableID(parts: ["b"]), c = StableID(parts: ["c"])
        var expected: [StableID: [Sample]] = [a: [], b: [], c: []]
        func append(_ engine: TimeSeriesEngine, _ id: StableID, _ step: Int, allOrNothing: Bool = false) async throws {
            let sample = Sample(base + Int64(step) * 10_000, Double(step))
            var batch = SampleBatch(capacity: 1)
            batch.append(id, sample.timestampMs, sample.value)
            batch.labels[id] = ["__name__": "refs", "id": "\(id.rawValue)"]
            #expect(try await engine.appendBatch(batch, policy: AppendPolicy(allOrNothing: allOrNothing)).stored == 1)
            expected[id, default: []].append(sample)
        }
        func check(_ engine: TimeSeriesEngine) async throws {
            for (id, samples) in expected {
                #expect(try await engine.samples(series: id, fromMs: .min, toMs: .max) == samples, "\(id)")
            }
        }
        do {  // a is ref 1, b ref 2; after a persist only b is logged, defining ref 2
            let engine = try TimeSeriesEngine(directory: directory, options: options(), logger: quietLogger)
            try await append(engine, a, 0)
            try await append(engine, b, 1)
            try await engine.persistHead()
            try await append(engine, b, 2)
            try await append(engine, b, 3, allOrNothing: true)
        }  // a crash: no close
        do {  // replay makes b ref 1; a becomes ref 2 when it returns, c ref 3
            let engine = try TimeSeriesEngine(directory: directory, options: options(), logger: quietLogger)
            try await check(engine)
            try await append(engine, a, 4, allOrNothing: true)
            try await append(engine, b, 5)
            try await append(engine, c, 6)
            try await append(engine, a, 7)
            try await check(engine)
        }
        do {
            let engine = try TimeSeriesEngine(directory: directory, options: options(), logger: quietLogger)
            try await check(engine)
            try await engine.persistHead()
            try await append(engine, c, 8)
            try await append(engine, a, 9)
        }
        let last = try TimeSeriesEngine(directory: directory, options: options(), logger: quietLogger)
        try await check(last)
    }

    /// Samples of series with and without head references round-trip bit for bit over many epochs (random
    /// times and value bit patterns), and random bytes after the type byte decode or throw, never trap.
    @Test func recordsRoundTripAndGarbageNeverTraps() throws {
        var generator = SystemRandomNumberGenerator()
        let series = (1...50).map { number -> MemSeries in
            let item = MemSeries(id: StableID(parts: ["round\(number)"]))
            item.ref = SeriesRef(rawValue: UInt32(number * 997))
            return item
        }
        var table = RefSampleRecord.Table()
        for epoch in 0..<UInt32(6) {
            var record = RefSampleRecord(capacity: 200)
            var expected = SampleBatch(capacity: 200)
            for _ in 0..<200 {
                let item = series.randomElement(using: &generator)!
                let time = Int64.random(in: .min ... .max, using: &generator)
                let value = Double(bitPattern: UInt64.random(in: .min ... .max, using: &generator))
                record.add(item.id, Bool.random(using: &generator) ? SeriesHandle(item) : nil, time, value, epoch: epoch)
                expected.append(item.id, time, value)
            }
            guard case .samples(let batch) = try WALRecord.decode(record.bytes, refs: &table) else {
                Issue.record("not a samples record")
                continue
            }
            #expect(batch.seriesIDs == expected.seriesIDs && batch.timestamps == expected.timestamps)
            #expect(zip(batch.values, expected.values).allSatisfy { $0.bitPattern == $1.bitPattern })
        }
        for _ in 0..<5_000 {
            let bytes = [4] + (0..<Int.random(in: 0..<48, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var fresh = RefSampleRecord.Table()
            _ = try? WALRecord.decode(bytes, refs: &fresh)
        }
    }
}
