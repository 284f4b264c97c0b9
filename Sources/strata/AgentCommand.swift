import ArgumentParser
import Foundation
import Logging
import StrataAgent
import StrataCore

/// `strata agent`: collects and pushes this host's metrics.
struct AgentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the Strata agent: discover this platform and stream its metrics to the server.",
        discussion: "Reads the host through STRATA_HOST_ROOT (default /). Unacknowledged batches wait in DATA/spool.")

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

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let intervalMs = DurationText.milliseconds(interval), intervalMs >= 100 else {
            throw ValidationError("--interval \"\(interval)\" is not a duration of at least 100ms (e.g. 10s, 2s)")
        }
        guard let token = token ?? environment["STRATA_AGENT_TOKEN"], !token.isEmpty else {
            throw ValidationError("an agent token is required: --token or STRATA_AGENT_TOKEN")
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level \"\(logLevel)\"") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var configuration = AgentConfiguration(
            serverURL: server ?? environment["STRATA_SERVER"] ?? "http://127.0.0.1:7480", token: token,
            dataDirectory: data, intervalMs: intervalMs, hostRoot: environment["STRATA_HOST_ROOT"] ?? "/")
        configuration.maxSpoolBatches = spoolBatches
        try Agent(configuration: configuration, logger: Logger(label: "strata.agent")).run()
    }
}
