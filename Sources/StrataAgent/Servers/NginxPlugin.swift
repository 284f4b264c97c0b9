#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// nginx: the master process (`nginx: master process …`); its configuration file from `-c` (else
/// `/etc/nginx/nginx.conf`); connections and requests from `stub_status`, whose location is read from the
/// configuration (`nginx.status_url` in the credentials file overrides it) and tried on each listening
/// port; the version from the status answer's `Server` header.
public struct NginxPlugin: ServerPlugin {
    public var type: String { "nginx" }
    public var processNames: Set<String> { ["nginx"] }
    public var controlActions: [ControlAction] {
        [ControlAction("reload", "re-read the configuration and replace the workers gracefully (SIGHUP)", .signal(SIGHUP)),
         ControlAction("reopen-logs", "reopen log files after rotation (SIGUSR1)", .signal(SIGUSR1)),
         ControlAction("graceful-stop", "stop after serving open requests (SIGQUIT)", .signal(SIGQUIT))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        process.name == "nginx" && (process.arguments.first?.hasPrefix("nginx: master process") ?? false)
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "nginx:\(Self.configFile(process.arguments))"
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let configFile = Self.configFile(process.arguments)
        let config = Self.readConfig(configFile, fs: context.fs)
        var report = ServerReport(key: key(for: process, context: context), name: "nginx \(configFile)",
                                  properties: [("type", .string("nginx")), ("executable", .string(process.executable)),
                                               ("config_files", .list(config.files.map { .string($0) })),
                                               ("log_files", .list(config.logFiles.map { .string($0) })),
                                               ("error_logs", .list(config.errorLogs.map { .string($0) })),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        let candidates: [String]
        if let url = context.settings["nginx.status_url"] {
            candidates = [url]
        } else {
            let path = config.texts.lazy.compactMap(Self.statusLocation).first ?? "/nginx_status"
            candidates = process.listeningPorts.map { "http://127.0.0.1:\($0)\(path)" }
        }
        switch StatusPage.first(candidates, what: "stub_status", timeoutMs: context.timeoutMs, parse: { Self.parseStatus($0.text) }) {
        case .success(let page):
            if let server = page.response.headers["server"], server.hasPrefix("nginx/") {
                report.properties.append(("version", .string(String(server.dropFirst(6)))))
            }
            report.properties.append(("status_url", .string(page.url)))
            Self.record(page.parsed, into: &report.metrics)
        case .failure(let failure):
            report.status = .failed(failure.description)
        }
        return report
    }

    /// The configuration file named by `-c`, else the packaged default.
    static func configFile(_ arguments: [String]) -> String {
        // The master's title is one argument, "nginx: master process /usr/sbin/nginx -c FILE …".
        let words = arguments.flatMap { $0.split(separator: " ").map(String.init) }
        if let flag = words.firstIndex(of: "-c"), flag + 1 < words.count { return words[flag + 1] }
        return "/etc/nginx/nginx.conf"
    }

    /// Start with the master's own options; reload and stop through `nginx -s` with the same `-c`/`-p`/`-g` (the
    /// pid file those name is where `-s` finds the master).
    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        let command = [launch.executable] + Self.options(launch.commandLine)
        return ServerLifecycle(start: .launch(command), stop: .run(command + ["-s", "stop"]), reload: .run(command + ["-s", "reload"]))
    }

    /// The master's `-c`, `-p`, `-e` and `-g` options from its title (`nginx: master process PATH OPTIONS`, one
    /// argument that nginx wrote over its arguments): split on spaces, a `-g` value running to the next option.
    static func options(_ commandLine: [String]) -> [String] {
        var words = commandLine.flatMap { $0.split(separator: " ").map(String.init) }
        if words.starts(with: ["nginx:", "master", "process"]) { words.removeFirst(3) }
        if let first = words.first, !first.hasPrefix("-") { words.removeFirst() }
        let flags: Set<String> = ["-c", "-p", "-e", "-g"]
        var options: [String] = []
        var index = 0
        while index < words.count {
            let flag = words[index]
            index += 1
            guard flags.contains(flag), index < words.count else { continue }
            var value = [words[index]]
            index += 1
            while flag == "-g", index < words.count, !flags.contains(words[index]) {
                value.append(words[index])
                index += 1
            }
            options += [flag, value.joined(separator: " ")]
        }
        return options
    }

    /// The configuration files (`include` followed, globs expanded, relative to the main file's directory),
    /// their texts, the `error_log`/`access_log` files they name, and the `error_log` files alone.
    static func readConfig(_ file: String, fs: HostFS) -> (files: [String], texts: [String], logFiles: [String], errorLogs: [String]) {
        let directory = file.split(separator: "/").dropLast().joined(separator: "/")
        var files: [String] = []
        var texts: [String] = []
        var logs: [String] = []
        var errorLogs: [String] = []
        func visit(_ path: String, depth: Int) {
            guard depth < 16, !files.contains(path), let text = fs.read(path, limit: 1 << 20) else { return }
            files.append(path)
            texts.append(text)
            for statement in text.split(whereSeparator: { $0 == ";" || $0 == "{" || $0 == "}" || $0 == "\n" }) {
                let words = statement.fields
                guard words.count >= 2, !words[0].hasPrefix("#") else { continue }
                let argument = String(words[1])
                let absolute = argument.hasPrefix("/") ? argument : "/" + directory + "/" + argument
                switch words[0] {
                case "include": for match in fs.glob(absolute) { visit(match, depth: depth + 1) }
                case "error_log", "access_log":
                    guard argument != "off", !argument.hasPrefix("syslog:"), argument != "stderr" else { continue }
                    if !logs.contains(absolute) { logs.append(absolute) }
                    if words[0] == "error_log", !errorLogs.contains(absolute) { errorLogs.append(absolute) }
                default: continue
                }
            }
        }
        visit(file, depth: 0)
        return (files, texts, logs, errorLogs)
    }

    /// The path of the `location` block holding `stub_status`, if the configuration text has one.
    public static func statusLocation(_ text: String) -> String? {
        // Words of the configuration without comments, wherever the line breaks fall.
        let words = text.split(separator: "\n").flatMap { line in
            line.prefix { $0 != "#" }.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "{" || $0 == ";" || $0 == "}" })
        }
        let modifiers: Set<Substring> = ["=", "~", "~*", "^~"]
        var location: String?
        for (index, word) in words.enumerated() {
            if word == "location", index + 1 < words.count {
                let hasModifier = modifiers.contains(words[index + 1]) && index + 2 < words.count
                location = String(words[index + (hasModifier ? 2 : 1)])
            }
            if word == "stub_status" { return location }
        }
        return nil
    }

    /// The numbers of a stub_status page.
    public struct Status: Equatable, Sendable {
        /// Open client connections.
        public var active: Double
        /// Connections accepted since start.
        public var accepted: Double
        /// Connections handled since start.
        public var handled: Double
        /// Requests since start.
        public var requests: Double
        /// Connections reading a request.
        public var reading: Double
        /// Connections writing a response.
        public var writing: Double
        /// Idle keep-alive connections.
        public var waiting: Double
    }

    /// Parses `Active connections: N / server accepts handled requests / A H R / Reading: … Writing: … Waiting: …`.
    public static func parseStatus(_ text: String) -> Status? {
        let lines = text.split(separator: "\n").map { $0.split(separator: " ") }
        guard lines.count >= 4, lines[0].starts(with: ["Active", "connections:"]), lines[0].count >= 3,
              let active = Double(lines[0][2]), lines[2].count >= 3,
              let accepted = Double(lines[2][0]), let handled = Double(lines[2][1]), let requests = Double(lines[2][2]),
              lines[3].count >= 6, let reading = Double(lines[3][1]), let writing = Double(lines[3][3]), let waiting = Double(lines[3][5])
        else { return nil }
        return Status(active: active, accepted: accepted, handled: handled, requests: requests, reading: reading, writing: writing,
                      waiting: waiting)
    }

    static func record(_ status: Status, into sink: inout MetricSink) {
        sink.gauge("nginx_connections_active", status.active)
        sink.counter("nginx_connections_accepted_total", status.accepted)
        sink.counter("nginx_connections_handled_total", status.handled)
        sink.counter("nginx_requests_total", status.requests)
        sink.gauge("nginx_connections_reading", status.reading)
        sink.gauge("nginx_connections_writing", status.writing)
        sink.gauge("nginx_connections_waiting", status.waiting)
    }
}
