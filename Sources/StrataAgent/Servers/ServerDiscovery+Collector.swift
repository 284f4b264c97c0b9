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
        report.controlTargets = ControlTargets(source: name, targets: Dictionary(known.map { server in
            (pass.platformKey + "/" + server.key, ControlTarget.server(ServerProcess(
                type: plugins[server.plugin].type, pid: server.process.pid, startTicks: server.process.startTicks,
                declared: plugins[server.plugin].controlActions)))
        }, uniquingKeysWith: { first, _ in first }))
        for gone in found.down { report.resources.append(.down(.server, key: pass.platformKey + "/" + gone.key, name: gone.name)) }
        return report
    }
}
