import Foundation
import Logging
import StrataCore
import StrataTSDB

/// Range-query latency for 1,000 series: 2 h of raw 10 s samples, and 30 days through the 1 h rollups.
///
/// The 30-day data set is written the way a live server receives it (one sample per series every 5 min,
/// in time order, the head persisted every 2 h, rollups and compaction as they happen), then queried.
func measureQueries(series: Int = 1_000, repetitions: Int = Int(ProcessInfo.processInfo.environment["STRATA_BENCH_REPETITIONS"] ?? "") ?? 50) async throws -> [String] {
    var lines: [String] = []
    var generator = SystemRandomNumberGenerator()
    let start: Int64 = 1_700_006_400_000 // a multiple of 1 h
    let ids = (0..<series).map { StableID(parts: ["bench-query", String($0)]) }
    let labels = (0..<series).map { Labels([Label("__name__", $0 % 2 == 0 ? "bytes_total" : "load"), Label("host", "h\($0 % 100)"), Label("n", String($0))]) }

    func load(_ engine: TimeSeriesEngine, intervalMs: Int64, steps: Int) async throws {
        let workload = Workload(series: series, samplesPerSeries: steps)
        let values = (0..<series).map { workload.values($0, generator: &generator) }
        for step in 0..<steps {
            var batch = SampleBatch(capacity: series)
            for index in 0..<series {
                batch.append(ids[index], start + Int64(step) * intervalMs, values[index][step])
                if step == 0 { batch.labels[ids[index]] = labels[index] }
            }
            try await engine.appendBatch(batch, policy: .standard)
        }
    }

    func time(_ engine: TimeSeriesEngine, _ query: RangeQuery) async throws -> (median: Double, p99: Double, points: Int, resolution: Resolution) {
        var timings: [Double] = []
        var points = 0
        var resolution = Resolution.raw
        for _ in 0..<repetitions {
            let began = ContinuousClock.now
            let result = try await engine.query(query)
            timings.append(seconds(since: began) * 1000)
            points = result.series.reduce(0) { $0 + $1.points.count }
            resolution = result.resolution
        }
        let (median, p99) = percentiles(timings)
        return (median, p99, points, resolution)
    }

    // 2 h of raw samples every 10 s: half persisted as a block, half in the head.
    do {
        let directory = scratchDirectory("query-raw")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var options = TimeSeriesEngine.Options()
        options.blockDurationMs = 3_600_000
        let engine = try TimeSeriesEngine(directory: directory, options: options, logger: Logger(label: "bench"))
        try await load(engine, intervalMs: 10_000, steps: 720)
        let matchers = [try LabelMatcher("n", .matchesRegex, ".+")]
        for (function, step) in [(QueryFunction.avg, Int64(60_000)), (.rate, 300_000)] {
            let figures = try await time(engine, RangeQuery(matchers: matchers, fromMs: start, toMs: start + 7_200_000 - 1, stepMs: step,
                                                            function: function, resolution: .raw))
            lines.append(#"{"case":"query_range","series":\#(series),"range":"2h","resolution":"\#(figures.resolution.rawValue)","fn":"\#(function.rawValue)","step_s":\#(step / 1000),"raw_samples":\#(series * 720),"points":\#(figures.points),"median_ms":\#(fixed(figures.median)),"p99_ms":\#(fixed(figures.p99))}"#)
        }
    }

    // 30 days, one sample per series every 5 min.
    do {
        let directory = scratchDirectory("query-30d")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let engine = try TimeSeriesEngine(directory: directory, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let steps = 30 * 288
        let began = ContinuousClock.now
        try await load(engine, intervalMs: 300_000, steps: steps)
        try await engine.maintain()
        let loadSeconds = seconds(since: began)
        var counts: [String] = []
        for resolution in Resolution.allCases { counts.append("\"\(resolution.rawValue)\":\(await engine.blockCount(resolution))") }
        let matchers = [try LabelMatcher("n", .matchesRegex, ".+")]
        for (function, step) in [(QueryFunction.avg, Int64(3_600_000)), (.max, 6 * 3_600_000), (.rate, 3_600_000)] {
            let figures = try await time(engine, RangeQuery(matchers: matchers, fromMs: start, toMs: start + Int64(steps) * 300_000 - 1,
                                                            stepMs: step, function: function))
            lines.append(#"{"case":"query_range","series":\#(series),"range":"30d","resolution":"\#(figures.resolution.rawValue)","fn":"\#(function.rawValue)","step_s":\#(step / 1000),"raw_samples":\#(series * steps),"points":\#(figures.points),"median_ms":\#(fixed(figures.median)),"p99_ms":\#(fixed(figures.p99)),"load_seconds":\#(fixed(loadSeconds)),"blocks":{\#(counts.joined(separator: ","))}}"#)
        }
    }
    return lines
}
