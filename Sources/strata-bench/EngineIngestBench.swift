import Foundation
import Logging
import StrataCore
import StrataTSDB

/// In-process ingest: time-major batches of 500 from 4 concurrent writers, durable WAL.
func measureEngineIngest(series: Int, samplesPerSeries: Int, batch: Int) async throws -> String {
    let directory = NSTemporaryDirectory() + "strata-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let engine = try TimeSeriesEngine(directory: directory, logger: Logger(label: "bench"))
    let workload = Workload(series: series, samplesPerSeries: samplesPerSeries)
    let prepared = workload.timeMajorBatches(batch: batch)
    let clock = ContinuousClock()
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        let lanes = 4
        for lane in 0..<lanes {
            group.addTask {
                for index in stride(from: lane, to: prepared.count, by: lanes) { try await engine.append(prepared[index]) }
            }
        }
        try await group.waitForAll()
    }
    let elapsed = clock.now - started
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let total = series * samplesPerSeries
    let chunkBytes = await engine.chunkBytes
    let closeStarted = clock.now
    try await engine.close()
    let closeSeconds = Double((clock.now - closeStarted).components.attoseconds) / 1e18 + Double((clock.now - closeStarted).components.seconds)
    let blockBytes = await engine.blockBytes
    return #"{"case":"engine_ingest","series":\#(series),"samples":\#(total),"batch":\#(batch),"seconds":\#(String(format: "%.3f", seconds)),"samples_per_second":\#(Int(Double(total) / seconds)),"head_chunk_bytes_per_sample":\#(String(format: "%.3f", Double(chunkBytes) / Double(total))),"persist_seconds":\#(String(format: "%.3f", closeSeconds)),"block_bytes_per_sample":\#(String(format: "%.3f", Double(blockBytes) / Double(total)))}"#
}

