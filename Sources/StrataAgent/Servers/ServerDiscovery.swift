import Logging
import StrataCore

/// Finds servers among the host's processes with the plugins and collects them every interval.
///
/// A full process scan (every process's sockets) runs at each discovery refresh and whenever a new
/// process appears whose name a plugin knows; between scans only the known servers are looked at, so a
/// steady host costs one `/proc` listing per interval. A server whose process is gone is reported with
/// `up` 0 until the next full scan finds it again (a restart keeps its key, so its identity and history).
struct ServerDiscovery: Sendable {
    let fs: HostFS
    let plugins: [any ServerPlugin]
    let context: PluginContext
    /// Servers found by the last scan: plugin index and process, by key.
    private(set) var known: [(key: String, plugin: Int, process: ProcessEntry)] = []
    /// Keys of servers seen since start whose process is gone.
    private(set) var vanished: Set<String> = []
    private var pids: Set<Int32> = []
    private let names: Set<String>
    /// Last display name of each server, for its `up` 0 reports once gone.
    private var displayNames: [String: String] = [:]
    /// Servers whose status interface is failing: warned once per failure, not every interval.
    private var failing: Set<String> = []
    let logger: Logger?

    init(fs: HostFS, plugins: [any ServerPlugin] = ServerPlugins.all, settings: [String: String] = [:], logger: Logger? = nil) {
        self.fs = fs
        self.plugins = plugins
        self.context = PluginContext(fs: fs, settings: settings)
        self.names = Set(plugins.flatMap(\.processNames))
        self.logger = logger
    }

    /// One collection: rescans when `refresh` or when a process a plugin may own appeared, then inspects every
    /// known server. Returns the reports (with process metrics and `up`) and the keys of vanished servers.
    mutating func collect(refresh: Bool) -> (servers: [ServerReport], down: [(key: String, name: String)]) {
        let current = Set(fs.list("/proc").compactMap(Int32.init))
        let appeared = current.subtracting(pids)
        pids = current
        let newCandidate = appeared.contains { pid in (fs.readLine("/proc/\(pid)/comm")).map(names.contains) ?? false }
        let lost = known.contains { !current.contains($0.process.pid) }
        if refresh || newCandidate || lost { rescan() }

        var reports: [ServerReport] = []
        let processMetrics = ProcessMetrics(fs: fs)
        for server in known {
            var report = plugins[server.plugin].inspect(server.process, context: context)
            report.key = server.key
            processMetrics.collect(pid: server.process.pid, into: &report.metrics)
            report.metrics.gauge("up", report.status == .ok ? 1 : 0)
            displayNames[server.key] = report.name
            switch report.status {
            case .ok:
                if failing.remove(server.key) != nil { logger?.info("server status readable again", metadata: ["server": "\(server.key)"]) }
            case .failed(let reason):
                if failing.insert(server.key).inserted {
                    logger?.warning("cannot read server status; reporting it down until it answers",
                                    metadata: ["server": "\(server.key)", "reason": "\(reason)"])
                }
            }
            reports.append(report)
        }
        // Every vanished server was inspected (and named) in the collection that last found it.
        return (reports, vanished.sorted().map { ($0, displayNames[$0] ?? $0) })
    }

    /// Reads the whole process table and matches every plugin against it.
    private mutating func rescan() {
        let table = ProcessTable.read(fs)
        let previous = known
        known = []
        for process in table.processes where names.contains(process.name) {
            for (index, plugin) in plugins.enumerated() where plugin.matches(process, in: table) {
                let key = plugin.key(for: process, context: context)
                if !known.contains(where: { $0.key == key }) { known.append((key, index, process)) }
                break
            }
        }
        for server in previous where !known.contains(where: { $0.key == server.key }) {
            vanished.insert(server.key)
        }
        for server in known { vanished.remove(server.key) }
    }
}
