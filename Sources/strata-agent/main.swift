// The lean agent binary: StrataAgent only — no Foundation, no NIO — linked with the static Swift
// standard library, so the agent stays small. `strata agent` runs this binary when it sits beside `strata`.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Logging
import StrataAgent
import StrataCore

// One malloc arena: each collector runs on its own thread, and glibc would give every thread an arena of its own
// (+0.25–0.4 MiB RSS for a handful of threads that allocate little). The agent allocates little, so one arena
// costs it nothing measurable (docs/agent.md).
#if canImport(Glibc)
@_silgen_name("mallopt") func mallopt(_ option: Int32, _ value: Int32) -> Int32
_ = mallopt(-8, 1)  // M_ARENA_MAX, from <malloc.h>, which Glibc's module does not import
#endif

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
    case .version:
        print(StrataVersion.line(program: "strata-agent"))
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
