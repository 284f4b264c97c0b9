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
    /// Servers found by the last scan: plugin index, process, and the remote ends of the connections it and
    /// its child processes opened (for `depends-on` edges), by key.
    private(set) var known: [(key: String, plugin: Int, process: ProcessEntry, connections: [String])] = []
    /// Keys of servers seen since start whose process is gone.
    private(set) var vanished: Set<String> = []
    private var pids: Set<Int32> = []
    /// New candidate processes no plugin matched yet, with the rescans left for them.
    private var waiting: [Int32: Int] = [:]
    /// Rescans a new candidate process gets before only full discoveries look at it again.
    static let candidateRetries = 10
    /// Last display name of each server, for its `up` 0 reports once gone.
    private var displayNames: [String: String] = [:]
    /// Servers whose status interface is failing: warned once per failure, not every interval.
    private var failing: Set<String> = []
    let logger: Logger?

    /// Configured Prometheus targets by port: scraped into the server that listens there.
    let scrapeTargets: [UInt16: String]
    /// The script plugin, when a data directory is known.
    let scripts: ScriptRunner?
    /// What each server found was started with, to start it again (`DATA/server-launches.json`).
    let launches: ServerLaunchBook
    /// Scripts refused for their ownership or mode, warned about once.
    private var refusedScripts: Set<String> = []

    /// Discovery with `plugins`, by default the built-in ones, then Prometheus endpoints, then the user's
    /// process rules from `settings`; scripts from `dataDirectory`'s scripts directory when one is given.
    init(fs: HostFS, plugins: [any ServerPlugin]? = nil, settings: [String: String] = [:], dataDirectory: String? = nil,
         logger: Logger? = nil) {
        self.fs = fs
        let rules = ProcessRulePlugin(settings: settings)
        let prometheus = PrometheusPlugin(settings: settings)
        self.scrapeTargets = prometheus.targetPorts
        self.scripts = dataDirectory.map { ScriptRunner(dataDirectory: $0, settings: settings) }
        let all = plugins ?? (ServerPlugins.all + [prometheus] + (rules.rules.isEmpty ? [] : [rules]))
        self.plugins = all
        self.context = PluginContext(fs: fs, settings: settings)
        launches = ServerLaunchBook(path: dataDirectory.map { $0 + "/server-launches.json" }) { launch in
            let plugin = all.first { $0.type == launch.type }
            return plugin?.lifecycle(launch, fs: fs) ?? .signals(launch, declared: [])
        }
        self.logger = logger
    }

    /// One collection: rescans when `refresh` or when a process a plugin may own appeared, then inspects every
    /// known server. Returns the reports (with process metrics and `up`) and the keys of vanished servers.
    mutating func collect(refresh: Bool) -> (servers: [ServerReport], down: [(key: String, name: String)]) {
        let current = Set(fs.list("/proc").compactMap(Int32.init))
        let appeared = current.subtracting(pids)
        pids = current
        let candidates = appeared.filter { pid in (fs.readLine("/proc/\(pid)/comm")).map(mayOwn) ?? false }
        let lost = known.contains { !current.contains($0.process.pid) }
        // A server's process often appears before it listens: a candidate no plugin matched yet is looked at
        // again for a few intervals (`candidateRetries`), not only at the next full discovery.
        waiting = waiting.filter { current.contains($0.key) }
        for pid in candidates { waiting[pid] = Self.candidateRetries }
        if refresh || !candidates.isEmpty || lost || !waiting.isEmpty {
            rescan()
            let matched = Set(known.map(\.process.pid))
            waiting = waiting.filter { !matched.contains($0.key) && $0.value > 1 }.mapValues { $0 - 1 }
        }

        var reports: [ServerReport] = []
        let processMetrics = ProcessMetrics(fs: fs)
        for server in known {
            var report = plugins[server.plugin].inspect(server.process, context: context)
            report.key = server.key
            report.properties.append(("connections", .list(server.connections.map { .string($0) })))
            // Every process can be frozen and thawed; a plugin that declares those itself is not listed twice.
            let declared = plugins[server.plugin].controlActions
            let actions = declared + ControlAction.freezeAndThaw.filter { generic in !declared.contains { $0.name == generic.name } }
            let names = actions.map(\.name) + ["start", "restart"].filter { lifecycle in !actions.contains { $0.name == lifecycle } }
            report.properties.append(("actions", .list(names.map { .string($0) })))
            if !(plugins[server.plugin] is PrometheusPlugin) {
                for port in server.process.listeningPorts { if let url = scrapeTargets[port] { scrape(url, into: &report) } }
            }
            var own = MetricSink()
            processMetrics.collect(pid: server.process.pid, into: &own)
            own.gauge("up", report.status == .ok ? 1 : 0)
            // The agent's own process readings and `up` win over a scraped endpoint's of the same names.
            report.metrics.remove(metricsNamed: Set(own.readings.map(\.metric)))
            for reading in own.readings { report.metrics.append(reading) }
            reports.append(note(report))
        }
        if let scripts {
            let found = scripts.scripts()
            for (path, reason) in found.refused where refusedScripts.insert(path).inserted {
                logger?.warning("not running script", metadata: ["path": "\(path)", "reason": "\(reason)"])
            }
            for path in found.runnable {
                var report = scripts.run(path)
                report.metrics.remove(metricsNamed: ["up"])
                report.metrics.gauge("up", report.status == .ok ? 1 : 0)
                reports.append(note(report))
            }
        }
        // Every vanished server was inspected (and named) in the collection that last found it.
        return (reports, vanished.sorted().map { ($0, displayNames[$0] ?? $0) })
    }

    /// Remembers the report's name and logs a status failure once per failure.
    private mutating func note(_ report: ServerReport) -> ServerReport {
        displayNames[report.key] = report.name
        switch report.status {
        case .ok:
            if failing.remove(report.key) != nil { logger?.info("server status readable again", metadata: ["server": "\(report.key)"]) }
        case .failed(let reason):
            if failing.insert(report.key).inserted {
                logger?.warning("cannot read server status; reporting it down until it answers",
                                metadata: ["server": "\(report.key)", "reason": "\(reason)"])
            }
        }
        return report
    }

    /// Adds the readings of a configured Prometheus target to the server listening on its port; a failing
    /// scrape is warned about once and does not make the server down.
    private mutating func scrape(_ url: String, into report: inout ServerReport) {
        do {
            for reading in try PrometheusPlugin.scrape(url, timeoutMs: context.timeoutMs) { report.metrics.append(reading) }
            if failing.remove(url) != nil { logger?.info("scrape target readable again", metadata: ["url": "\(url)"]) }
        } catch {
            if failing.insert(url).inserted {
                logger?.warning("cannot scrape target", metadata: ["url": "\(url)", "server": "\(report.key)", "reason": "\(error)"])
            }
        }
    }

    private func mayOwn(_ name: String) -> Bool { plugins.contains { $0.mayOwn(processNamed: name) } }

    /// The remote ends of the connections `process` and its descendants opened, without those to its own
    /// listening ports on this host.
    static func connections(of process: ProcessEntry, in table: ProcessTable) -> [String] {
        var family: Set<Int32> = [process.pid]
        var remotes = Set(process.connections)
        var grew = true
        while grew {
            grew = false
            for child in table.processes where !family.contains(child.pid) && family.contains(child.ppid) {
                family.insert(child.pid)
                remotes.formUnion(child.connections)
                grew = true
            }
        }
        let own = Set(process.listeningPorts.map(String.init))
        return remotes.filter { remote in
            let port = remote.split(separator: ":").last.map(String.init) ?? ""
            return !(own.contains(port) && (remote.hasPrefix("127.") || remote.hasPrefix("[::1]")))
        }.sorted()
    }

    /// Reads the whole process table and matches every plugin against it.
    private mutating func rescan() {
        let table = ProcessTable.read(fs)
        let previous = known
        known = []
        for process in table.processes where mayOwn(process.name) {
            for (index, plugin) in plugins.enumerated() where plugin.mayOwn(processNamed: process.name) && plugin.matches(process, in: table) {
                let key = plugin.key(for: process, context: context)
                if !known.contains(where: { $0.key == key }) { known.append((key, index, process, Self.connections(of: process, in: table))) }
                break
            }
        }
        for server in previous where !known.contains(where: { $0.key == server.key }) {
            vanished.insert(server.key)
        }
        for server in known { vanished.remove(server.key) }
    }
}
