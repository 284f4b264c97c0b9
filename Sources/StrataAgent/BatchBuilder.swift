import StrataCore

/// Turns one collection pass into a batch: the platform resource, the servers and services the plugins
/// found under it, and one point per reading.
///
/// Discovery runs on the first batch and then every `refreshEvery` batches (5 min at 10 s); the
/// properties travel only on those batches (and when a server first appears), so the steady-state cost of
/// a collection is the metrics alone.
struct BatchBuilder: Sendable {
    let fs: HostFS
    let intervalMs: Int64
    let refreshEvery: UInt64
    var platform: PlatformInfo?
    var batchesSinceDiscovery: UInt64 = 0
    var servers: ServerDiscovery
    var hypervisors: HypervisorCollector
    /// Containers found by the last cgroup walk (every `containerScanEvery` batches and at each refresh).
    var containers: [ContainerInfo] = []
    var batchesSinceContainerScan: UInt64 = 0
    static let containerScanEvery: UInt64 = 6
    /// Properties last sent per server and service key: sent again only when they change or at a refresh.
    var announced: [String: PropertyValue] = [:]
    /// The log and configuration files of the servers the last collection found, for the trackers.
    private(set) var serverFiles: [ServerFiles] = []

    init(fs: HostFS, intervalMs: Int64, refreshEvery: UInt64, servers: ServerDiscovery? = nil, hypervisors: HypervisorCollector? = nil) {
        self.fs = fs
        self.intervalMs = intervalMs
        self.refreshEvery = max(1, refreshEvery)
        self.servers = servers ?? ServerDiscovery(fs: fs)
        self.hypervisors = hypervisors ?? HypervisorCollector(uris: [])
    }

    mutating func build(agentID: String, sequence: UInt64, timestampMs: Int64, events: [OwnedEvent] = [],
                        configs: [OwnedConfig] = []) -> AgentBatch {
        var properties: PropertyValue?
        let refresh = platform == nil || batchesSinceDiscovery >= refreshEvery
        if refresh {
            platform = PlatformDiscovery(fs: fs).discover()
            properties = platform?.properties
            batchesSinceDiscovery = 0
        }
        batchesSinceDiscovery += 1
        let platform = self.platform!
        var sink = MetricSink()
        PlatformCollector(fs: fs).collect(into: &sink)
        SelfCollector().collect(into: &sink)
        let resource = ResourceReport(kind: .platform, key: platform.identityKey, name: platform.hostname,
                                      properties: properties)
        var resources = [resource]
        var series: [SeriesPoints] = []
        func add(_ sink: MetricSink, to index: Int) { Self.append(sink, to: index, at: timestampMs, series: &series) }
        func down(_ kind: ResourceKind, key: String, name: String) {
            resources.append(ResourceReport(kind: kind, key: key, name: name, parentIndex: 0))
            var down = MetricSink()
            down.gauge("up", 0)
            add(down, to: resources.count - 1)
        }
        add(sink, to: 0)
        let found = servers.collect(refresh: refresh)
        serverFiles = found.servers.map(ServerFiles.init(report:))
        for report in found.servers {
            let key = platform.identityKey + "/" + report.key
            let serverIndex = resources.count
            resources.append(ResourceReport(kind: .server, key: key, name: report.name, parentIndex: 0,
                                            properties: changed(key, .map(report.properties), refresh: refresh)))
            add(report.metrics, to: serverIndex)
            for service in report.services {
                let serviceKey = key + "/" + service.key
                resources.append(ResourceReport(kind: .service, key: serviceKey, name: service.name, parentIndex: serverIndex,
                                                properties: changed(serviceKey, .map(service.properties), refresh: refresh)))
                add(service.metrics, to: resources.count - 1)
            }
        }
        for gone in found.down { down(.server, key: platform.identityKey + "/" + gone.key, name: gone.name) }
        // Containers (cgroup v1 and v2) hang below the platform; one that is gone reports `up` 0 once.
        let collector = ContainerCollector(fs: fs)
        batchesSinceContainerScan += 1
        if refresh || batchesSinceContainerScan >= Self.containerScanEvery {
            let scanned = collector.discover()
            for gone in containers where !scanned.contains(where: { $0.runtime == gone.runtime && $0.id == gone.id }) {
                down(.container, key: platform.identityKey + "/container:\(gone.runtime):\(gone.id)", name: gone.displayName)
            }
            containers = scanned
            batchesSinceContainerScan = 0
        }
        for container in containers {
            let key = platform.identityKey + "/container:\(container.runtime):\(container.id)"
            var properties: [(key: String, value: PropertyValue)] = [("runtime", .string(container.runtime)), ("id", .string(container.id))]
            if let name = container.name { properties.append(("name", .string(name))) }
            if let image = container.image { properties.append(("image", .string(image))) }
            if let v2 = container.v2 { properties.append(("cgroup_v2", .string(v2))) }
            if !container.v1.isEmpty { properties.append(("cgroup_v1", .map(container.v1.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))) }
            resources.append(ResourceReport(kind: .container, key: key, name: container.displayName, parentIndex: 0,
                                            properties: changed(key, .map(properties), refresh: refresh)))
            var sink = MetricSink()
            collector.collect(container, into: &sink)
            sink.gauge("up", 1)
            add(sink, to: resources.count - 1)
        }
        Self.append(hypervisors.collect(nowMs: timestampMs, intervalMs: intervalMs), platformKey: platform.identityKey,
                    timestampMs: timestampMs, resources: &resources, series: &series) { key, properties in
            changed(key, properties, refresh: refresh)
        }
        var batch = AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                               agentVersion: Agent.version, resources: resources, series: series)
        Self.attach(events, configs, platformKey: platform.identityKey, to: &batch)
        return batch
    }

    /// A batch of log events and configuration snapshots alone (between collections, so they travel within
    /// a second or two): the platform and the servers that own them, no samples. Nil before the first
    /// collection found the platform.
    func eventBatch(agentID: String, sequence: UInt64, timestampMs: Int64, events: [OwnedEvent], configs: [OwnedConfig]) -> AgentBatch? {
        guard let platform else { return nil }
        var batch = AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                               agentVersion: Agent.version,
                               resources: [ResourceReport(kind: .platform, key: platform.identityKey, name: platform.hostname)], series: [])
        Self.attach(events, configs, platformKey: platform.identityKey, to: &batch)
        return batch
    }

    /// Adds events and snapshots to `batch`, each pointing at the resource that owns its file: the server
    /// (added below the platform when the batch does not report it) or the platform.
    static func attach(_ events: [OwnedEvent], _ configs: [OwnedConfig], platformKey: String, to batch: inout AgentBatch) {
        var indices: [String: Int] = [:]
        for (index, resource) in batch.resources.enumerated() where resource.kind == .server { indices[resource.key] = index }
        func index(of owner: FileOwner) -> Int {
            guard let serverKey = owner.serverKey else { return 0 }
            let key = platformKey + "/" + serverKey
            if let index = indices[key] { return index }
            batch.resources.append(ResourceReport(kind: .server, key: key, name: owner.name, parentIndex: 0))
            indices[key] = batch.resources.count - 1
            return batch.resources.count - 1
        }
        for owned in events {
            var event = owned.event
            event.resourceIndex = index(of: owned.owner)
            batch.events.append(event)
        }
        for owned in configs {
            var snapshot = owned.snapshot
            snapshot.resourceIndex = index(of: owned.owner)
            batch.configs.append(snapshot)
        }
    }

    /// Adds hypervisors below the platform at index 0, and their VMs below them, keyed by UUID alone so a VM
    /// keeps its identity (and series) when it moves to another host. An unreachable hypervisor reports no
    /// VMs. `properties` decides which property trees travel (those that changed).
    static func append(_ hypervisors: [HypervisorReport], platformKey: String, timestampMs: Int64, resources: inout [ResourceReport],
                       series: inout [SeriesPoints], properties: (String, PropertyValue) -> PropertyValue?) {
        func add(_ sink: MetricSink, to index: Int) { append(sink, to: index, at: timestampMs, series: &series) }
        for hypervisor in hypervisors {
            let key = platformKey + "/libvirt:" + hypervisor.uri
            let hypervisorIndex = resources.count
            resources.append(ResourceReport(kind: .hypervisor, key: key, name: hypervisor.name, parentIndex: 0,
                                            properties: hypervisor.properties.isEmpty ? nil : properties(key, .map(hypervisor.properties))))
            add(hypervisor.metrics, to: hypervisorIndex)
            for vm in hypervisor.vms ?? [] {
                let vmKey = ResourceKey.vm(uuid: vm.uuid)
                resources.append(ResourceReport(kind: .vm, key: vmKey, name: vm.name, parentIndex: hypervisorIndex,
                                                properties: properties(vmKey + "@" + hypervisor.uri, .map(vm.properties))))
                add(vm.metrics, to: resources.count - 1)
            }
        }
    }

    /// One point at `timestampMs` per reading of `sink`, for the resource at `index`.
    static func append(_ sink: MetricSink, to index: Int, at timestampMs: Int64, series: inout [SeriesPoints]) {
        for reading in sink.readings {
            series.append(SeriesPoints(resourceIndex: index, metric: reading.metric, type: reading.type, labels: reading.labels,
                                       points: [Sample(timestampMs, reading.value)]))
        }
    }

    /// `properties` if they differ from what was last sent for `key` (or at a refresh), else nil.
    private mutating func changed(_ key: String, _ properties: PropertyValue, refresh: Bool) -> PropertyValue? {
        guard refresh || announced[key] != properties else { return nil }
        announced[key] = properties
        return properties
    }
}

/// A discovered server's files to track: its logs (`error_logs`, else `log_files`) and `config_files`.
struct ServerFiles: Sendable, Equatable {
    var key: String
    var name: String
    var type: String
    var logFiles: [String]
    var configFiles: [String]

    init(report: ServerReport) {
        func strings(_ name: String) -> [String]? {
            guard case .list(let values)? = report.properties.first(where: { $0.key == name })?.value else { return nil }
            return values.compactMap { if case .string(let text) = $0 { text } else { nil } }
        }
        key = report.key
        name = report.name
        if case .string(let type)? = report.properties.first(where: { $0.key == "type" })?.value {
            self.type = type
        } else {
            type = String(report.key.prefix { $0 != ":" })
        }
        logFiles = strings("error_logs") ?? strings("log_files") ?? []
        configFiles = strings("config_files") ?? []
    }
}
