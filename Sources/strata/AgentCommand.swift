import ArgumentParser
import Foundation
import Logging
import StrataAgent

/// `strata agent`: collects and pushes this host's metrics.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the Strata agent: discover this platform and stream its metrics to the server.",
        discussion: """
            Reads the host through STRATA_HOST_ROOT (default /). Unacknowledged batches wait in DATA/spool. \
            When the lean strata-agent binary sits beside this one, it runs instead (a smaller footprint); \
            STRATA_AGENT_IN_PROCESS=1 keeps the agent in this process.
            """)

    @Option(help: "Server URL (default: STRATA_SERVER, else http://127.0.0.1:7480).")
    var server: String?

    @Option(help: "Agent enrollment token (default: STRATA_AGENT_TOKEN).")
    var token: String?

    @Option(help: "Directory for the spool and the agent's state (default ./agent-data).")
    var data: String = "./agent-data"

    @Option(help: "Collection interval, e.g. 10s, 2s, 500ms.")
    var interval: String = "10s"

    @Option(help: "Most batches kept in the spool while the server is unreachable.")
    var spoolBatches: Int = 8640

    @Option(help: "Log level.")
    var logLevel: String = "info"

    @Option(help: "CA certificate (PEM) that signs an https:// server's certificate (default: STRATA_CA_FILE, else the system's trust store).")
    var caFile: String?

    @Option(help: "Full re-discovery of platform and servers, e.g. 5m (default: STRATA_DISCOVERY_INTERVAL, else 5m).")
    var discoveryInterval: String?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        // One reading of the options for both paths: the lean agent's parser, so the two cannot disagree on a rule.
        var arguments = ["--data", data, "--interval", interval, "--spool-batches", String(spoolBatches), "--log-level", logLevel]
        if let server { arguments += ["--server", server] }
        if let discoveryInterval { arguments += ["--discovery-interval", discoveryInterval] }
        if let caFile { arguments += ["--ca-file", caFile] }
        // The token travels in the environment, never on a command line other users can read.
        var passed = environment
        if let token { passed["STRATA_AGENT_TOKEN"] = token }
        let parsed: AgentCommandLine.Parsed
        do {
            parsed = try AgentCommandLine.parse(arguments, environment: passed)
        } catch {
            throw ValidationError(error.description)
        }
        guard case let .run(configuration, levelName) = parsed, let level = Logger.Level(rawValue: levelName) else {
            throw ValidationError("unknown log level \"\(logLevel)\"")
        }
        if environment["STRATA_AGENT_IN_PROCESS"] == nil, let lean = LeanAgent.pathBesideThisBinary() {
            // Hand over to the small binary (no Foundation, static stdlib).
            try LeanAgent.exec(lean, arguments: arguments, environment: passed)
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        try Agent(configuration: configuration, logger: Logger(label: "strata.agent")).run()
    }
}

/// The lean `strata-agent` binary built beside `strata`.
enum LeanAgent {
    /// `strata-agent` in this executable's directory, if it is there and executable.
    static func pathBesideThisBinary() -> String? {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        let candidate = (own as NSString).deletingLastPathComponent + "/strata-agent"
        return FileManager.default.isExecutableFile(atPath: candidate) ? candidate : nil
    }

    /// Replaces this process with `path`; returns only by throwing.
    static func exec(_ path: String, arguments: [String], environment: [String: String]) throws -> Never {
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(path, argv, envp)
        throw ValidationError("cannot start \(path): \(String(cString: strerror(errno)))")
    }
}
