// The lean agent binary: StrataAgent only — no Foundation, no NIO — linked with the static Swift
// standard library, so the agent stays small. `strata agent` runs this binary when it sits beside `strata`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import StrataAgent

var environment: [String: String] = [:]
var cursor = environ
while let entry = cursor.pointee {
    let text = String(cString: entry)
    if let equals = text.firstIndex(of: "=") {
        environment[String(text[..<equals])] = String(text[text.index(after: equals)...])
    }
    cursor += 1
}

do {
    switch try AgentCommandLine.parse(Array(CommandLine.arguments.dropFirst()), environment: environment) {
    case .help:
        print(AgentCommandLine.usage)
    case .discover(let dataDirectory):
        signal(SIGPIPE, SIG_IGN)
        print(DiscoveryPrinter.text(dataDirectory: dataDirectory, hostRoot: environment["STRATA_HOST_ROOT"] ?? "/"), terminator: "")
    case let .run(configuration, logLevel):
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try Agent(configuration: configuration, logger: Logger(label: "strata.agent")).run()
    }
} catch let error as AgentCommandLine.UsageError {
    writeError("strata-agent: \(error)\n")
    exit(64)
} catch {
    writeError("strata-agent: \(error)\n")
    exit(1)
}

/// Writes to standard error without touching the C `stderr` global.
func writeError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
