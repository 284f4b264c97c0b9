import ArgumentParser
import Foundation
import Logging
import Metrics
import Prometheus
import StrataServer

/// `strata server`: runs the server on the embedded store.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the Strata server (embedded SQLite store).",
        discussion: """
            Settings come from defaults, then --config FILE (YAML), then STRATA_* environment variables \
            (STRATA_LISTEN, STRATA_DATA, STRATA_LOG_LEVEL, STRATA_MISSED_INTERVALS, STRATA_BOOTSTRAP_ADMIN_PASSWORD, \
            STRATA_BOOTSTRAP_AGENT_TOKEN), then flags.
            """)

    @Option(help: "Address to listen on, HOST:PORT (default 127.0.0.1:7480).")
    var listen: String?

    @Option(help: "Data directory (default ./data).")
    var data: String?

    @Option(help: "YAML configuration file (default: STRATA_CONFIG, else none).")
    var config: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var settings = ServerConfiguration()
        do {
            if let path = config ?? environment["STRATA_CONFIG"] { try settings.apply(yamlFile: path) }
            try settings.apply(environment: environment)
            if let listen { try settings.setListen(listen, source: "--listen") }
            try settings.validate()
        } catch {
            throw ValidationError(error.description)
        }
        if let data { settings.dataDirectory = data }
        if let logLevel { settings.logLevel = logLevel }
        guard let level = Logger.Level(rawValue: settings.logLevel) else {
            throw ValidationError("unknown log level \"\(settings.logLevel)\"")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "strata.server")

        // Everything the server writes is private (files meant to be shared, like the CA certificate, set their
        // mode explicitly).
        umask(0o077)
        do {
            let server = try StrataServer(configuration: settings, registry: registry, logger: logger)
            let credentials = try await server.bootstrap()
            try await serve(server, settings: settings, credentials: credentials)
        } catch let error as ServerStartError {
            throw CLIError.serverStart(error)
        }
    }

    /// Runs the server until it is told to stop, printing its URL and any generated first-start secrets.
    private func serve(_ server: StrataServer, settings: ServerConfiguration, credentials: BootstrapCredentials?) async throws {
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        let dataDirectory = settings.dataDirectory
        let scheme = settings.tls == "off" ? "http" : "https"
        let ownCA = settings.tls == "auto" ? server.tls?.authority?.certificatePath : nil
        try await server.run { port in
            print("Strata server listening on \(scheme)://\(host):\(port)")
            if let ownCA {
                print("TLS certificate from the server's own CA; clients trust \(ownCA)")
            }
            if let credentials, credentials.generated {
                // Only generated secrets are shown; those the environment supplied are the operator's already.
                print("First start: created user 'admin' and an agent enrollment token. Generated secrets are shown once:")
                if let password = credentials.adminPassword { print("  admin password: \(password)") }
                if let token = credentials.agentToken { print("  agent token:    \(token)") }
                print("  (also saved, mode 0600, in \(dataDirectory)/initial-credentials)")
            }
            Output.flush()
            ResidentMemory.releaseStartupCode()
        }
    }
}

/// Flushes standard output so wrappers reading it (make run, tests) see the lines at once.
enum Output {
    static func flush() {
        fflush(nil)
    }
}
