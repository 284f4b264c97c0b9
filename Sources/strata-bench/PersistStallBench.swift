import Foundation
import Logging
import StrataCore
import StrataTSDB
import Synchronization

/// The longest an append waits while the head is persisted (issue 16: persisting used to run inside `append`
/// on the engine actor — 0.57 s at 10k series, 2.36 s at 100k — and ingest stopped meanwhile). Four writers
/// append time-major batches of 500 until the head spans a (20 min) block and is persisted in the background;
/// every append's latency is recorded, durable WAL included. The longest of the appends that overlapped the persist
/// (its WAL cut to its blocks installed) is the stall the goal is about; the longest of the whole run (WAL segment
/// rotations and preallocation take their share) is printed beside it. The first step's appends, which create the
/// series, are reported apart.
func measurePersistStall(series: Int) async throws -> String {
    let directory = NSTemporaryDirectory() + "strata-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    var options = TimeSeriesEngine.Options()
    options.blockDurationMs = 20 * 60_000
    options.automaticMaintenance = false
    let engine = try TimeSeriesEngine(directory: directory, options: options, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    let steps = 150  // 25 minutes of 10 s samples: one persist, of 120 samples per series, while 30 more steps arrive
    let workload = Workload(series: series, samplesPerSeries: steps)
    let prepared = workload.timeMajorBatches(batch: 500)
    let firstStepBatches = (series + 499) / 500
    let latencies = Latencies()
    let started = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for lane in 0..<4 {
            group.addTask {
                var mine: [Double] = []
                var creating: [Double] = []
                var spans: [(began: ContinuousClock.Instant, seconds: Double)] = []
                for index in stride(from: lane, to: prepared.count, by: 4) {
                    let began = ContinuousClock.now
                    try await engine.append(prepared[index])
                    // The first step's batches create the series (index and head growth), apart from persisting.
                    let took = seconds(since: began)
                    if index < firstStepBatches { creating.append(took) } else { mine.append(took) }
                    spans.append((began, took))
                }
                latencies.values.withLock { $0 += mine }
                latencies.creating.withLock { $0 += creating }
                latencies.spans.withLock { $0 += spans }
            }
        }
        try await group.waitForAll()
    }
    let total = seconds(since: started)
    await engine.settle()
    let blocks = await engine.blockCount(.raw)
    // The appends that overlapped the head persist (from its WAL cut to its blocks installed and WAL trimmed).
    var duringPersist = 0.0
    if let persist = await engine.lastPersist {
        for span in latencies.spans.withLock({ $0 }) where span.began <= persist.finished && span.began + .seconds(span.seconds) >= persist.started {
            duringPersist = max(duringPersist, span.seconds)
        }
    }
    let sorted = latencies.values.withLock { $0 }.sorted()
    let p999 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.999))]
    return #"{"case":"persist_stall","series":\#(series),"samples":\#(series * steps),"appends":\#(sorted.count),"blocks_persisted":\#(blocks),"seconds":\#(fixed(total)),"append_ms_p50":\#(fixed(sorted[sorted.count / 2] * 1000)),"append_ms_p999":\#(fixed(p999 * 1000)),"longest_append_ms":\#(fixed((sorted.last ?? 0) * 1000)),"longest_append_during_persist_ms":\#(fixed(duringPersist * 1000)),"goal_longest_during_persist_ms":50,"longest_series_creating_append_ms":\#(fixed((latencies.creating.withLock { $0 }.max() ?? 0) * 1000))}"#
}

/// Append latencies gathered from the writers.
final class Latencies: Sendable {
    /// Appends after the first step (the persist happens among them).
    let values = Mutex<[Double]>([])
    /// Appends of the first step, which create the series.
    let creating = Mutex<[Double]>([])
    /// Every append: when it began and how long it took.
    let spans = Mutex<[(began: ContinuousClock.Instant, seconds: Double)]>([])
}
