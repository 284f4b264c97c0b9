#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// Apache httpd: the parent process of `apache2`/`httpd` (its workers are its children); the configuration
/// from `-f`/`-d` (else `/etc/apache2/apache2.conf`) with its includes; workers, accesses and traffic from
/// `mod_status` (`?auto`) at the configured `server-status` location (`apache.status_url` overrides);
/// services are the virtual hosts.
public struct ApachePlugin: ServerPlugin {
    public var type: String { "apache" }
    public var processNames: Set<String> { ["apache2", "httpd"] }
    public var controlActions: [ControlAction] {
        [ControlAction("graceful", "re-read the configuration; workers finish their requests first (SIGUSR1)", .signal(SIGUSR1)),
         ControlAction("restart-workers", "re-read the configuration and restart the workers at once (SIGHUP)", .signal(SIGHUP)),
         ControlAction("graceful-stop", "stop after serving open requests (SIGWINCH)", .signal(SIGWINCH))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        processNames.contains(process.name) && table.process(process.ppid)?.name != process.name
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "apache:\(Self.configFile(process.arguments).file)"
    }

    public var launchEnvironment: [String] { ["APACHE_*"] }

    /// Apache's own control: `apache2ctl`/`apachectl VERB` for a default installation (no `-f`, `-d`), else httpd's
    /// `-k VERB` with the same `-f`/`-d`/`-D`/`-C`/`-c` options; `graceful` reloads.
    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        let control = Self.controlProgram(launch, exists: fs.exists)
        return ServerLifecycle(start: .launch(control + ["start"]), stop: .run(control + ["stop"]), reload: .run(control + ["graceful"]))
    }

    /// The control command a verb follows: `[apache2ctl]` when the server runs with the packaged configuration and a
    /// control script sits next to its executable, else `[httpd, its options…, "-k"]`.
    static func controlProgram(_ launch: ServerLaunch, exists: (String) -> Bool) -> [String] {
        var options: [String] = []
        var index = 0
        let arguments = launch.arguments
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            if ["-f", "-d", "-D", "-C", "-c"].contains(word), index < arguments.count {
                options += [word, arguments[index]]
                index += 1
            } else if word.hasPrefix("-D"), word.count > 2 {
                options.append(word)
            }
        }
        if !options.contains("-f") && !options.contains("-d") {
            for name in ["apache2ctl", "apachectl"] where exists(launch.executableDirectory + "/" + name) {
                return [launch.executableDirectory + "/" + name]
            }
        }
        return [launch.executable] + options + ["-k"]
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let (file, root) = Self.configFile(process.arguments)
        let config = ApacheConfig.read(file, serverRoot: root, environment: context.fs.environment(of: process.pid), fs: context.fs)
        var report = ServerReport(key: key(for: process, context: context), name: "apache \(file)",
                                  properties: [("type", .string("apache")), ("executable", .string(process.executable)),
                                               ("config_files", .list(config.files.map { .string($0) })),
                                               ("log_files", .list(Self.allLogFiles(config).map { .string($0) })),
                                               ("error_logs", .list(config.errorLogs.map { .string($0) })),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        for host in config.virtualHosts {
            var properties: [(key: String, value: PropertyValue)] = [("kind", .string("vhost")), ("server_name", .string(host.serverName)),
                                                                    ("port", .int(Int64(host.port)))]
            if !host.aliases.isEmpty { properties.append(("aliases", .list(host.aliases.map { .string($0) }))) }
            if let root = host.documentRoot { properties.append(("document_root", .string(root))) }
            if !host.logFiles.isEmpty { properties.append(("log_files", .list(host.logFiles.map { .string($0) }))) }
            report.services.append(ServiceReport(key: "\(host.serverName):\(host.port)", name: "\(host.serverName):\(host.port)",
                                                 properties: properties))
        }
        let candidates: [String]
        if let url = context.settings["apache.status_url"] {
            candidates = [url]
        } else {
            let path = config.statusLocation ?? "/server-status"
            candidates = process.listeningPorts.map { "http://127.0.0.1:\($0)\(path)?auto" }
        }
        switch StatusPage.first(candidates, what: "mod_status ?auto fields", timeoutMs: context.timeoutMs, parse: { Self.parseStatus($0.text) }) {
        case .success(let page):
            if let version = page.parsed.version { report.properties.append(("version", .string(version))) }
            if let mpm = page.parsed.fields["ServerMPM"] { report.properties.append(("mpm", .string(mpm))) }
            report.properties.append(("status_url", .string(page.url)))
            Self.record(page.parsed, into: &report.metrics)
        case .failure(let failure):
            report.status = .failed(failure.description)
        }
        return report
    }

    /// The configuration file and server root from `-f` and `-d`.
    static func configFile(_ arguments: [String]) -> (file: String, root: String) {
        var root = "/etc/apache2"
        var file: String?
        var index = 1
        while index + 1 < arguments.count {
            switch arguments[index] {
            case "-d": root = arguments[index + 1]; index += 2
            case "-f": file = arguments[index + 1]; index += 2
            default: index += 1
            }
        }
        let name = file ?? "apache2.conf"
        return (name.hasPrefix("/") ? name : root + "/" + name, root)
    }

    static func allLogFiles(_ config: ApacheConfig) -> [String] {
        var files: [String] = []
        for file in config.logFiles + config.virtualHosts.flatMap(\.logFiles) where !files.contains(file) { files.append(file) }
        return files
    }

    /// A `server-status?auto` page: its `Key: value` fields and scoreboard.
    public struct Status: Sendable, Equatable {
        /// Every `Key: value` line.
        public var fields: [String: String]
        /// Version from `ServerVersion: Apache/2.4.62 (Debian)`.
        public var version: String? {
            guard let text = fields["ServerVersion"], let slash = text.firstIndex(of: "/") else { return nil }
            return String(text[text.index(after: slash)...].prefix { $0 != " " })
        }
        /// Worker slots by scoreboard state (`_` waiting, `W` sending, …).
        public var scoreboard: [Character: Int] {
            var counts: [Character: Int] = [:]
            for slot in fields["Scoreboard"] ?? "" { counts[slot, default: 0] += 1 }
            return counts
        }
    }

    /// Parses the `?auto` format; nil unless it has the worker counts every mod_status page carries.
    public static func parseStatus(_ text: String) -> Status? {
        let fields = Dictionary(parseColonFile(text).map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard let busy = fields["BusyWorkers"], Double(busy) != nil, let idle = fields["IdleWorkers"], Double(idle) != nil else { return nil }
        return Status(fields: fields)
    }

    /// Scoreboard characters and the state each stands for.
    static let scoreboardStates: [(Character, String)] = [
        ("_", "waiting"), ("S", "starting"), ("R", "reading"), ("W", "sending"), ("K", "keepalive"), ("D", "dns"),
        ("C", "closing"), ("L", "logging"), ("G", "finishing"), ("I", "idle_cleanup"), (".", "open"),
    ]

    static func record(_ status: Status, into sink: inout MetricSink) {
        func number(_ field: String) -> Double? { status.fields[field].flatMap { Double($0) } }
        if let value = number("Total Accesses") { sink.counter("apache_accesses_total", value) }
        if let value = number("Total kBytes") { sink.counter("apache_sent_bytes_total", value * 1024) }
        if let value = number("Total Duration") { sink.counter("apache_request_duration_ms_total", value) }
        if let value = number("ServerUptimeSeconds") ?? number("Uptime") { sink.gauge("apache_uptime_seconds", value) }
        if let value = number("BusyWorkers") { sink.gauge("apache_workers", value, ["state": "busy"]) }
        if let value = number("IdleWorkers") { sink.gauge("apache_workers", value, ["state": "idle"]) }
        if let value = number("Processes") { sink.gauge("apache_processes", value) }
        if let value = number("ConnsTotal") { sink.gauge("apache_connections", value) }
        if let value = number("CPULoad") { sink.gauge("apache_cpu_load", value) }
        let counts = status.scoreboard
        if !counts.isEmpty {
            for (character, state) in scoreboardStates {
                sink.gauge("apache_scoreboard", Double(counts[character] ?? 0), ["state": state])
            }
        }
    }
}
