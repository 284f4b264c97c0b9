#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// What the agent remembers of a server's main process to start it again once it is down: the executable, its
/// arguments as `/proc/PID/cmdline` shows them (some servers rewrite them: each plugin's `lifecycle` reads them its
/// own way), the working directory, the real user and group, and the environment variables that matter
/// (`LaunchEnvironment`). Noted once per process (pid and start time) by the discovery, kept in the agent's data
/// directory (`ServerLaunchBook`).
public struct ServerLaunch: Sendable, Equatable {
    /// The plugin's type, e.g. `tomcat`.
    public var type: String
    /// `/proc/PID/exe`, without a ` (deleted)` suffix (a binary replaced by an upgrade).
    public var executable: String
    /// `argv` as `/proc/PID/cmdline` shows it, `argv[0]` included (nginx puts its whole title there).
    public var commandLine: [String]
    /// `/proc/PID/cwd`, `/` when unreadable.
    public var workingDirectory: String
    /// The real user and group ids.
    public var uid: UInt32
    public var gid: UInt32
    /// The kept environment, by name.
    public var environment: [String: String]
    /// Configuration files the server reported (`config_files`), e.g. Redis's, which it does not show in its arguments.
    public var configFiles: [String]
    /// The TCP ports it listened on.
    public var ports: [UInt16]

    /// A launch record.
    public init(type: String, executable: String, commandLine: [String], workingDirectory: String = "/", uid: UInt32, gid: UInt32,
                environment: [String: String] = [:], configFiles: [String] = [], ports: [UInt16] = []) {
        self.type = type
        self.executable = executable
        self.commandLine = commandLine
        self.workingDirectory = workingDirectory
        self.uid = uid
        self.gid = gid
        self.environment = environment
        self.configFiles = configFiles
        self.ports = ports
    }

    /// The launch record of `process` read from `/proc` (environment filtered with `keep`), nil when the process
    /// is gone or its executable unreadable.
    static func read(_ process: ProcessEntry, type: String, keep: [String], configFiles: [String], fs: HostFS) -> ServerLaunch? {
        var executable = process.executable
        if executable.hasSuffix(" (deleted)") { executable.removeLast(" (deleted)".count) }
        guard !executable.isEmpty, let status = fs.read("/proc/\(process.pid)/status", limit: 16 << 10) else { return nil }
        let fields = parseColonFile(status)
        func first(_ key: String) -> UInt32? { fields.first { $0.key == key }?.value.fields.first.flatMap { UInt32($0) } }
        return ServerLaunch(type: type, executable: executable, commandLine: process.arguments,
                            workingDirectory: fs.readLink("/proc/\(process.pid)/cwd") ?? "/", uid: first("Uid") ?? process.uid,
                            gid: first("Gid") ?? 0, environment: LaunchEnvironment.kept(fs.environment(of: process.pid), keep: keep),
                            configFiles: configFiles, ports: process.listeningPorts)
    }

    /// `NAME=value` entries for a child: the kept environment, with a default `PATH` when it had none.
    var environmentEntries: [String] {
        var entries = environment
        if entries["PATH"] == nil { entries["PATH"] = LaunchEnvironment.defaultPath }
        return entries.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }

    /// `argv[1...]`.
    var arguments: [String] { Array(commandLine.dropFirst()) }

    /// The value of the kept environment variable `name`, else of the `-Dname=` argument `property`.
    func setting(_ name: String, property: String? = nil) -> String? {
        if let value = environment[name], !value.isEmpty { return value }
        guard let property else { return nil }
        let prefix = "-D\(property)="
        return commandLine.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }

    /// The directory of the executable (`/usr/lib/postgresql/15/bin`).
    var executableDirectory: String { String(executable[..<(executable.lastIndex(of: "/") ?? executable.startIndex)]) }

    /// The record as a property map, for the agent's data directory.
    var property: PropertyValue {
        .map([("type", .string(type)), ("executable", .string(executable)), ("command_line", .list(commandLine.map { .string($0) })),
              ("cwd", .string(workingDirectory)), ("uid", .int(Int64(uid))), ("gid", .int(Int64(gid))),
              ("environment", .map(environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
              ("config_files", .list(configFiles.map { .string($0) })), ("ports", .list(ports.map { .int(Int64($0)) }))])
    }

    /// A record read back from `property`, nil when a field is missing or out of range.
    init?(property: PropertyValue) {
        func strings(_ key: String) -> [String]? {
            guard case .list(let items)? = property[key] else { return nil }
            return items.compactMap(\.stringValue)
        }
        func id(_ key: String) -> UInt32? { if case .int(let value)? = property[key] { return UInt32(exactly: value) } else { return nil } }
        guard let type = property["type"]?.stringValue, let executable = property["executable"]?.stringValue,
              let commandLine = strings("command_line"), let uid = id("uid"), let gid = id("gid"),
              case .map(let environment)? = property["environment"] else { return nil }
        var ports: [UInt16] = []
        if case .list(let items)? = property["ports"] {
            ports = items.compactMap { if case .int(let port) = $0 { return UInt16(exactly: port) } else { return nil } }
        }
        self.init(type: type, executable: executable, commandLine: commandLine, workingDirectory: property["cwd"]?.stringValue ?? "/",
                  uid: uid, gid: gid, environment: Dictionary(environment.compactMap { entry in entry.value.stringValue.map { (entry.key, $0) } },
                                                                uniquingKeysWith: { first, _ in first }),
                  configFiles: strings("config_files") ?? [], ports: ports)
    }
}

/// Which environment variables of a server a start keeps: the common ones (`PATH`, `LANG`, `LC_*`, `TZ`, `HOME`…)
/// and those its plugin names (`CATALINA_*`, `JAVA_OPTS`…), never one that looks like a secret or is the agent's
/// own (`STRATA_*`, names with `TOKEN`, `SECRET`, `PASSWORD`, `PASSWD`, `CREDENTIAL`, `_KEY`).
enum LaunchEnvironment {
    /// Kept for every server.
    static let common = ["PATH", "LANG", "LANGUAGE", "LC_*", "TZ", "HOME", "USER", "LOGNAME", "TMPDIR"]
    /// Never kept, whatever a plugin asks.
    static let secretMarkers = ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "_KEY", "PRIVATE"]
    /// A child's `PATH` when the server had none.
    static let defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Whether `name` matches `pattern` (an exact name, or a prefix ending in `*`).
    static func matches(_ name: String, _ pattern: String) -> Bool {
        pattern.hasSuffix("*") ? name.hasPrefix(pattern.dropLast()) : name == pattern
    }

    /// The variables of `environment` to keep, given the plugin's own patterns `keep`.
    static func kept(_ environment: [String: String], keep: [String]) -> [String: String] {
        environment.filter { name, _ in
            let upper = name.uppercased()
            guard !upper.hasPrefix("STRATA_"), !secretMarkers.contains(where: { upper.contains($0) }) else { return false }
            return (common + keep).contains { matches(name, $0) }
        }
    }
}
