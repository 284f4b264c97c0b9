// Benchmarks that print one JSON line per case (`make bench`). Figures, not assertions.
import Foundation
import Logging
import StrataTSDB

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "recovery-child", arguments.count == 3, let samples = Int(arguments[2]) {
    try await runRecoveryChild(directory: arguments[1], samples: samples)
}
if arguments.first == "open", arguments.count == 2 {
    let began = ContinuousClock.now
    _ = try TimeSeriesEngine(directory: arguments[1], logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    print(#"{"case":"open","seconds":\#(fixed(seconds(since: began)))}"#)
    exit(0)
}
let cases = arguments.isEmpty ? ["engine", "persist", "query", "recovery"] : arguments
for name in cases {
    switch name {
    case "engine":
        print(try await measureEngineIngest(series: 10_000, samplesPerSeries: 720, batch: 500))
        print(try await measureEngineIngest(series: 100_000, samplesPerSeries: 120, batch: 500))
    case "persist":
        print(try await measurePersistStall(series: 10_000))
        print(try await measurePersistStall(series: 100_000))
    case "query":
        for line in try await measureQueries() { print(line) }
    case "recovery":
        print(try await measureRecovery())
    case "promql":
        for line in try await measurePromQL() { print(line) }
    case "decode":
        for line in try measureDecoding() { print(line) }
    case "planner":
        for line in try measurePlanner() { print(line) }
    default:
        FileHandle.standardError.write(Data("unknown case \(name); known: engine, persist, query, recovery, promql, planner, decode\n".utf8))
        exit(64)
    }
    flushOutput()
}
