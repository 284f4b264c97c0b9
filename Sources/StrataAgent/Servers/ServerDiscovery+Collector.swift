/// The servers and services the plugins find, as a collector: a status interface that hangs costs the batch
/// at most the budget, and the servers' readings follow in the next batch once it answers or times out.
extension ServerDiscovery: Collector {
    var name: String { "servers" }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 5_000) }

    /// Every server below the platform with its services below it, then each vanished server with `up` 0;
    /// their files for the trackers.
    mutating func collect(_ pass: CollectionPass) -> CollectorReport {
        let found = collect(refresh: pass.refresh)
        var report = CollectorReport(serverFiles: found.servers.map(ServerFiles.init(report:)))
        for server in found.servers {
            let key = pass.platformKey + "/" + server.key
            let services = server.services.map { service in
                ReportedResource(kind: .service, key: key + "/" + service.key, name: service.name, properties: .map(service.properties),
                                 metrics: service.metrics)
            }
            report.resources.append(ReportedResource(kind: .server, key: key, name: server.name, properties: .map(server.properties),
                                                     metrics: server.metrics, children: services))
        }
        report.controlTargets = ControlTargets(source: name, targets: controlTargets(platformKey: pass.platformKey, reports: found.servers))
        for gone in found.down { report.resources.append(.down(.server, key: pass.platformKey + "/" + gone.key, name: gone.name)) }
        return report
    }

    /// The running servers by their main process, with what they were started with (noted in `launches` once per
    /// process), and the servers noted before that are not running now, by resource key.
    func controlTargets(platformKey: String, reports: [ServerReport]) -> [String: ControlTarget] {
        var targets: [String: ControlTarget] = [:]
        for server in known where targets[platformKey + "/" + server.key] == nil {
            let plugin = plugins[server.plugin]
            let process = server.process
            var configFiles: [String] = []
            if case .list(let files)? = reports.first(where: { $0.key == server.key })?.properties.first(where: { $0.key == "config_files" })?.value {
                configFiles = files.compactMap(\.stringValue)
            }
            var entry: ServerLaunchBook.Entry?
            do {
                entry = try launches.note(server.key, process: process) {
                    ServerLaunch.read(process, type: plugin.type, keep: plugin.launchEnvironment, configFiles: configFiles, fs: fs).map { launch in
                        ServerLaunchBook.Entry(launch: launch, lifecycle: plugin.lifecycle(launch, fs: fs), pid: process.pid, startTicks: process.startTicks)
                    }
                }
            } catch {
                logger?.warning("cannot save what a server was started with; a start after an agent restart will not find it",
                                metadata: ["server": "\(server.key)", "error": "\(error)"])
                entry = launches.entry(server.key)
            }
            targets[platformKey + "/" + server.key] = .server(ServerProcess(type: plugin.type, pid: process.pid, startTicks: process.startTicks,
                                                                            declared: plugin.controlActions, launch: entry?.launch,
                                                                            lifecycle: entry?.lifecycle))
        }
        for (key, entry) in launches.all where targets[platformKey + "/" + key] == nil {
            targets[platformKey + "/" + key] = .stoppedServer(entry.launch, entry.lifecycle)
        }
        return targets
    }
}
