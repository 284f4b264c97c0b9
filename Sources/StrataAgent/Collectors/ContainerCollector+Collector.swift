import StrataCore

/// Containers as a collector: the cgroup trees are walked at each refresh and every `scanEvery` runs, the
/// known containers are read every run.
extension ContainerCollector: Collector {
    var name: String { "containers" }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 2_000) }

    /// Every known container below the platform with its readings and `up` 1; one that a walk no longer finds
    /// reports `up` 0 once.
    mutating func collect(_ pass: CollectionPass) -> CollectorReport {
        var report = CollectorReport()
        func key(_ container: ContainerInfo) -> String { pass.platformKey + "/container:\(container.runtime):\(container.id)" }
        runsSinceScan += 1
        if pass.refresh || runsSinceScan >= Self.scanEvery {
            let scanned = discover()
            for gone in known where !scanned.contains(where: { $0.runtime == gone.runtime && $0.id == gone.id }) {
                report.resources.append(.down(.container, key: key(gone), name: gone.displayName))
            }
            known = scanned
            runsSinceScan = 0
        }
        for container in known {
            var metrics = MetricSink()
            collect(container, into: &metrics)
            metrics.gauge("up", 1)
            report.resources.append(ReportedResource(kind: .container, key: key(container), name: container.displayName,
                                                     properties: container.properties, metrics: metrics))
        }
        report.controlTargets = ControlTargets(source: name, targets: Dictionary(known.map { (key($0), ControlTarget.container(v2: $0.v2, v1: $0.v1)) },
                                                                                 uniquingKeysWith: { first, _ in first }))
        return report
    }
}

extension ContainerInfo {
    /// The properties a container reports: runtime, id, name and image when known, its cgroup directories.
    var properties: PropertyValue {
        var properties: [(key: String, value: PropertyValue)] = [("runtime", .string(runtime)), ("id", .string(id))]
        if let name { properties.append(("name", .string(name))) }
        if let image { properties.append(("image", .string(image))) }
        if let v2 { properties.append(("cgroup_v2", .string(v2))) }
        if !v1.isEmpty { properties.append(("cgroup_v1", .map(v1.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
        return .map(properties)
    }
}
