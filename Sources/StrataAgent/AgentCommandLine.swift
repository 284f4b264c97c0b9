import StrataCore

/// Parses the agent's command line without Foundation or ArgumentParser, for the lean `strata-agent`
/// binary. Flags: `--server URL`, `--token TOKEN`, `--data DIR`, `--interval DURATION`,
/// `--spool-batches N`, `--log-level LEVEL`, `--ca-file PATH`, `--discovery-interval DURATION`, `--discover`; environment: `STRATA_SERVER`, `STRATA_AGENT_TOKEN`,
/// `STRATA_HOST_ROOT`, `STRATA_CA_FILE`, `STRATA_AGENT_MTLS`, `STRATA_DISCOVERY_INTERVAL`.
public enum AgentCommandLine {
    /// The usage text.
    public static let usage = """
        USAGE: strata-agent [--server URL] [--token TOKEN] [--data DIR] [--interval DURATION] [--spool-batches N] [--log-level LEVEL]

          --server URL         server URL (default: STRATA_SERVER, else http://127.0.0.1:7480)
          --token TOKEN        agent enrollment token (default: STRATA_AGENT_TOKEN)
          --data DIR           spool and state directory (default ./agent-data)
          --interval DURATION  collection interval, e.g. 10s, 2s, 500ms (default 10s)
          --spool-batches N    most batches kept while the server is unreachable (default 8640)
          --log-level LEVEL    trace, debug, info, notice, warning, error, critical (default info)
          --ca-file PATH       CA certificate (PEM) that signs an https:// server's certificate
                               (default: STRATA_CA_FILE, else the system's trust store)
          --discovery-interval DURATION
                               full re-discovery of platform and servers (default: STRATA_DISCOVERY_INTERVAL,
                               else 5m); process starts and exits trigger discovery in between
          --discover           find the servers and services on this host once, print them and exit
          --version            print the version and exit
        The host is read through STRATA_HOST_ROOT (default /). STRATA_AGENT_MTLS=1 makes the agent ask for a
        client certificate at enrollment and present it on every connection (mutual TLS).
        """

    /// What the command line asks for.
    public enum Parsed: Sendable {
        /// Run with this configuration and log level.
        case run(AgentConfiguration, logLevel: String)
        /// Print the usage.
        case help
        /// Print the version (`--version`).
        case version
        /// Find the servers on this host once, print them and exit (`--discover`), with the plugin settings of
        /// this data directory.
        case discover(dataDirectory: String)
    }

    /// A message for the user saying what is wrong.
    public struct UsageError: Error, Sendable, CustomStringConvertible {
        /// The message.
        public var description: String
    }

    /// Parses `arguments` (without the program name).
    public static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Parsed {
        var values: [String: String] = [:]
        var discover = false
        var index = 0
        let known: Set<String> = ["--server", "--token", "--data", "--interval", "--spool-batches", "--log-level", "--ca-file", "--discovery-interval"]
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--help" || argument == "-h" { return .help }
            if argument == "--version" { return .version }
            if argument == "--discover" { discover = true; index += 1; continue }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard known.contains(name) else { throw UsageError(description: "unknown option \(argument)\n\n\(usage)") }
            if value == nil {
                index += 1
                guard index < arguments.count else { throw UsageError(description: "\(name) needs a value") }
                value = arguments[index]
            }
            values[name] = value
            index += 1
        }
        if discover { return .discover(dataDirectory: values["--data"] ?? "./agent-data") }
        let intervalText = values["--interval"] ?? "10s"
        guard let intervalMs = DurationText.milliseconds(intervalText), intervalMs >= 100 else {
            throw UsageError(description: "--interval \"\(intervalText)\" is not a duration of at least 100ms (e.g. 10s, 2s)")
        }
        let dataDirectory = values["--data"] ?? "./agent-data"
        guard let token = Self.enrollmentToken(values["--token"] ?? environment["STRATA_AGENT_TOKEN"], dataDirectory: dataDirectory) else {
            throw UsageError(description: "an agent token is required to enroll (no credential in \(dataDirectory) yet): --token or STRATA_AGENT_TOKEN")
        }
        var configuration = AgentConfiguration(
            serverURL: values["--server"] ?? environment["STRATA_SERVER"] ?? "http://127.0.0.1:7480", token: token,
            dataDirectory: dataDirectory, intervalMs: intervalMs,
            hostRoot: environment["STRATA_HOST_ROOT"] ?? "/")
        configuration.caFile = values["--ca-file"] ?? environment["STRATA_CA_FILE"]
        let discoveryText = values["--discovery-interval"] ?? environment["STRATA_DISCOVERY_INTERVAL"] ?? "5m"
        guard let discoveryMs = DurationText.milliseconds(discoveryText), discoveryMs >= intervalMs else {
            throw UsageError(description: "--discovery-interval \"\(discoveryText)\" is not a duration of at least the interval (e.g. 5m)")
        }
        configuration.discoveryIntervalMs = discoveryMs
        configuration.mutualTLS = environment["STRATA_AGENT_MTLS"] == "1"
        if configuration.mutualTLS, !configuration.serverURL.hasPrefix("https://") {
            throw UsageError(description: "STRATA_AGENT_MTLS=1 needs an https:// server URL")
        }
        if let text = values["--spool-batches"] {
            guard let batches = Int(text), batches > 0 else { throw UsageError(description: "--spool-batches must be a positive number") }
            configuration.maxSpoolBatches = batches
        }
        let level = values["--log-level"] ?? "info"
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(level) else { throw UsageError(description: "unknown log level \"\(level)\"") }
        return .run(configuration, logLevel: level)
    }

    /// The enrollment token without surrounding whitespace (a pasted token often ends in a line break); empty when
    /// none is given but the agent already holds a credential in `dataDirectory`, nil when it needs one.
    public static func enrollmentToken(_ given: String?, dataDirectory: String) -> String? {
        let token = (given ?? "").trimmingSpaces
        if !token.isEmpty { return token }
        return HostFS(root: "/").read(dataDirectory + "/agent.credential")?.isEmpty == false ? "" : nil
    }
}
