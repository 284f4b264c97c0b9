#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// A server plugin: recognises one kind of server among the processes, says who it is, finds its
/// services and collects their metrics. Adding a server type is one file conforming to this protocol,
/// registered in `ServerPlugins.all`, plus its tests (docs/plugins.md).
public protocol ServerPlugin: Sendable {
    /// The server type, e.g. `nginx`; also the prefix of its metric names.
    var type: String { get }
    /// Process names (`/proc/PID/comm`) its servers run as: a new process with one of them triggers a scan.
    var processNames: Set<String> { get }
    /// Whether a process named `name` may be one of its servers (a new one triggers a scan); by default
    /// whether `processNames` holds it.
    func mayOwn(processNamed name: String) -> Bool
    /// Whether `process` is the main process of one of this plugin's servers (not a worker).
    func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool
    /// The server's natural key, from the process alone (no status request): stable across restarts and
    /// upgrades, unique on the platform, e.g. `redis:6379` or `nginx:/etc/nginx/nginx.conf`.
    func key(for process: ProcessEntry, context: PluginContext) -> String
    /// The control actions this kind of server offers (reload, graceful restart, …), for the Control
    /// capability to run; reported as the server's `actions` property.
    var controlActions: [ControlAction] { get }
    /// Environment variable names (a trailing `*` for a prefix) a start of its servers needs besides the common
    /// ones (`LaunchEnvironment`), e.g. `CATALINA_*`; none by default.
    var launchEnvironment: [String] { get }
    /// How to start, stop and reload a server from what the agent remembered of it; by default signals and the
    /// remembered command line (`ServerLifecycle.signals`).
    func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle
    /// Identity, services and metrics of the server `process` runs, read through its status interface.
    /// A status interface that refuses, hangs or answers garbage yields `status: .failed(reason)`, never a trap.
    func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport
}

extension ServerPlugin {
    public func mayOwn(processNamed name: String) -> Bool { processNames.contains(name) }
    public var controlActions: [ControlAction] { [] }
}

/// A corrective or pre-emptive action a server offers, declared by its plugin. The agent only declares
/// them (the server's `actions` property); running them — permissioned and audited — is the Control
/// capability's.
public struct ControlAction: Sendable, Equatable {
    /// How the action is carried out on the server's main process.
    public enum Method: Sendable, Equatable {
        /// Send this signal to the main process (e.g. SIGHUP: reload).
        case signal(Int32)
    }

    /// Name, e.g. `reload`.
    public var name: String
    /// What it does, for people.
    public var summary: String
    /// How.
    public var method: Method

    /// Creates an action.
    public init(_ name: String, _ summary: String, _ method: Method) {
        self.name = name
        self.summary = summary
        self.method = method
    }

    /// Freeze and thaw (SIGSTOP/SIGCONT), which every process allows.
    public static let freezeAndThaw = [
        ControlAction("freeze", "stop the process where it is (SIGSTOP)", .signal(SIGSTOP)),
        ControlAction("thaw", "let a frozen process run again (SIGCONT)", .signal(SIGCONT)),
    ]
}

/// What a plugin may use: the host's files, a status-request timeout, and the configured credentials.
public struct PluginContext: Sendable {
    /// The host's files (`STRATA_HOST_ROOT`).
    public var fs: HostFS
    /// Timeout for one status request, in milliseconds.
    public var timeoutMs: Int32
    /// `plugin.key = value` settings from the agent's credentials file (0600), e.g. `tomcat.password`.
    public var settings: [String: String]

    /// Creates a context.
    public init(fs: HostFS, timeoutMs: Int32 = 2000, settings: [String: String] = [:]) {
        self.fs = fs
        self.timeoutMs = timeoutMs
        self.settings = settings
    }
}

/// How the status interface answered.
public enum StatusOutcome: Sendable, Equatable {
    /// It answered and was understood.
    case ok
    /// It refused, timed out or answered garbage.
    case failed(String)
}

/// One server as a plugin reports it.
public struct ServerReport: Sendable {
    /// Natural key, stable across restarts and upgrades, unique on the platform (e.g. `redis:6379`).
    public var key: String
    /// Display name, e.g. `redis :6379`.
    public var name: String
    /// Properties: type, version, executable, config files, ports, …
    public var properties: [(key: String, value: PropertyValue)]
    /// Services found in it.
    public var services: [ServiceReport]
    /// Server-level readings.
    public var metrics: MetricSink
    /// How its status interface answered.
    public var status: StatusOutcome

    /// Creates a report.
    public init(key: String, name: String, properties: [(key: String, value: PropertyValue)] = [], services: [ServiceReport] = [],
                metrics: MetricSink = MetricSink(), status: StatusOutcome = .ok) {
        self.key = key
        self.name = name
        self.properties = properties
        self.services = services
        self.metrics = metrics
        self.status = status
    }
}

/// One service (virtual host, web application, database, keyspace) inside a server.
public struct ServiceReport: Sendable {
    /// Natural key within the server, e.g. `db0`.
    public var key: String
    /// Display name.
    public var name: String
    /// Properties.
    public var properties: [(key: String, value: PropertyValue)]
    /// Service-level readings.
    public var metrics: MetricSink

    /// Creates a service report.
    public init(key: String, name: String, properties: [(key: String, value: PropertyValue)] = [], metrics: MetricSink = MetricSink()) {
        self.key = key
        self.name = name
        self.properties = properties
        self.metrics = metrics
    }
}

/// The plugins the agent runs.
public enum ServerPlugins {
    /// Every built-in plugin.
    public static let all: [any ServerPlugin] = [RedisPlugin(), NginxPlugin(), ApachePlugin(), MySQLPlugin(), PostgresPlugin(), TomcatPlugin()]
}
