import Foundation
import Logging
import StrataCore
import StrataTSDB

/// Recovery after kill -9: a child process appends `samples` acknowledged samples (10k series, one every
/// 5 s, so all of them are still in the WAL and the head), reports it, and is killed with SIGKILL; the
/// engine is then opened on its directory and the open is timed. Every acknowledged sample is counted back.
func measureRecovery(samples: Int = 10_000_000) async throws -> String {
    let directory = scratchDirectory("recovery")
    let keep = ProcessInfo.processInfo.environment["STRATA_BENCH_KEEP"] != nil
    defer { if keep { FileHandle.standardError.write(Data("kept \(directory)\n".utf8)) } else { try? FileManager.default.removeItem(atPath: directory) } }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    child.arguments = ["recovery-child", directory, String(samples)]
    let pipe = Pipe()
    child.standardOutput = pipe
    try child.run()
    var output = Data()
    while !String(decoding: output, as: UTF8.self).contains("acknowledged") {
        let chunk = pipe.fileHandleForReading.availableData
        guard !chunk.isEmpty else { break }
        output += chunk
    }
    kill(child.processIdentifier, SIGKILL)
    child.waitUntilExit()
    let walBytes = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/wal"))?.reduce(0) { total, name in
        total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/wal/" + name)[.size] as? Int) ?? 0)
    } ?? 0
    let began = ContinuousClock.now
    let engine = try TimeSeriesEngine(directory: directory, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    let openSeconds = seconds(since: began)
    var recovered = 0
    for index in 0..<10_000 {
        recovered += try await engine.samples(series: StableID(parts: ["bench-recovery", String(index)]), fromMs: .min, toMs: .max).count
    }
    return #"{"case":"recovery_after_kill9","acknowledged_samples":\#(samples),"recovered_samples":\#(recovered),"wal_bytes":\#(walBytes),"open_seconds":\#(fixed(openSeconds))}"#
}

/// The child side: append, print "acknowledged", then wait to be killed.
func runRecoveryChild(directory: String, samples: Int) async throws -> Never {
    let engine = try TimeSeriesEngine(directory: directory, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    let series = 10_000
    let steps = samples / series
    let workload = Workload(series: series, samplesPerSeries: steps)
    var generator = SystemRandomNumberGenerator()
    let ids = (0..<series).map { StableID(parts: ["bench-recovery", String($0)]) }
    let start: Int64 = 1_700_000_000_000
    var values = (0..<series).map { _ in [Double]() }
    for index in 0..<series { values[index] = workload.values(index, generator: &generator) }
    for step in 0..<steps {
        for offset in stride(from: 0, to: series, by: 2_000) {
            var batch = SampleBatch(capacity: 2_000)
            for index in offset..<min(series, offset + 2_000) { batch.append(ids[index], start + Int64(step) * 5_000, values[index][step]) }
            try await engine.appendBatch(batch, policy: .standard)
        }
    }
    print("acknowledged \(steps * series)")
    flushOutput()
    while true { sleep(60) }
}
