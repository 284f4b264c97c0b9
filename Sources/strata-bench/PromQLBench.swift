import Foundation
import Logging
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataTSDB

/// PromQL latency over the storage engine (`StrataPromQLEngine` through `Querier.selectSamples`): a `rate` over
/// 100k series, a `sum by` over 10k series, a 2 h range query over 1,000 series at 60 s, and a
/// `histogram_quantile` over 1,000 bucket series; samples every 15 s, all in the head.
func measurePromQL(repetitions: Int = Int(ProcessInfo.processInfo.environment["STRATA_BENCH_REPETITIONS"] ?? "") ?? 10) async throws -> [String] {
    let start: Int64 = 1_700_006_400_000
    let directory = scratchDirectory("promql")
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try TimeSeriesEngine(directory: directory, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    var generator = SystemRandomNumberGenerator()

    /// `count` series named `name`, samples every 15 s for `minutes`, counters rising by 0–10 a scrape.
    func load(_ name: String, count: Int, minutes: Int, extra: (Int) -> [Label] = { _ in [] }) async throws {
        let ids = (0..<count).map { StableID(parts: ["bench-promql", name, String($0)]) }
        var values = [Double](repeating: 0, count: count)
        for step in 0..<(minutes * 4) {
            var batch = SampleBatch(capacity: count)
            for index in 0..<count {
                values[index] += Double(Int.random(in: 0...10, using: &generator))
                batch.append(ids[index], start + Int64(step) * 15_000, values[index])
                if step == 0 {
                    batch.labels[ids[index]] = Labels([Label("__name__", name), Label("host", "h\(index % 100)"), Label("n", String(index))] + extra(index))
                }
            }
            try await store.appendBatch(batch, policy: .standard)
        }
    }
    try await load("requests_total", count: 100_000, minutes: 10)
    try await load("cpu_seconds_total", count: 1_000, minutes: 125)
    try await load("latency_bucket", count: 1_000, minutes: 10) { [Label("le", ["0.1", "0.5", "1", "5", "+Inf"][$0 % 5])] }

    let engine = Engine()
    let end = start + 600_000 - 15_000
    var lines: [String] = []
    func time(_ name: String, _ query: String, range: (Int64, Int64, Int64)? = nil, at: Int64 = end) async throws {
        let expr = try PromQLParser.parse(query)
        var timings: [Double] = []
        var points = 0
        for _ in 0..<repetitions {
            let began = ContinuousClock.now
            let value: QueryValue
            if let range {
                value = try await engine.range(expr, startMs: range.0, endMs: range.1, stepMs: range.2, querier: store, budget: .unlimited)
            } else {
                value = try await engine.instant(expr, at: at, querier: store, budget: .unlimited)
            }
            timings.append(seconds(since: began) * 1000)
            switch value {
            case .vector(let samples): points = samples.count
            case .matrix(let series): points = series.reduce(0) { $0 + $1.points.count }
            default: points = 1
            }
        }
        let (median, p99) = percentiles(timings)
        lines.append(#"{"case":"promql","name":"\#(name)","query":\#(JSONEncoderString(query)),"points":\#(points),"median_ms":\#(fixed(median)),"p99_ms":\#(fixed(p99))}"#)
    }
    try await time("rate over 100k series", "sum(rate(requests_total[5m]))")
    try await time("sum by over 10k series", "sum by (host) (requests_total{n=~\"[0-9]{1,4}\"})")
    try await time("query_range 1,000 series 2h step 60s", "rate(cpu_seconds_total[5m])",
                   range: (start + 300_000, start + 300_000 + 7_200_000, 60_000))
    try await time("histogram_quantile over 1,000 buckets", "histogram_quantile(0.9, sum by (le) (rate(latency_bucket[5m])))")
    return lines
}

/// `text` as a JSON string literal.
private func JSONEncoderString(_ text: String) -> String {
    String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
}
