import Logging
import StrataCore

/// Turns one collection pass into a batch: the platform resource, with what the registered collectors
/// (`CollectorRegistry.builtIn`) report — the platform's readings and the servers, services, containers,
/// hypervisors and VMs below it — each collector bounded in time by `CollectorRunner`.
///
/// Platform discovery runs on the first batch and then every `refreshEvery` batches (5 min at 10 s), which
/// are also the collectors' discovery refreshes; the properties travel only on those batches (and when a
/// resource first appears or its properties change), so the steady-state cost of a collection is the
/// metrics alone.
struct BatchBuilder {
    let fs: HostFS
    let intervalMs: Int64
    let refreshEvery: UInt64
    var platform: PlatformInfo?
    var batchesSinceDiscovery: UInt64 = 0
    /// Runs the collectors, each on its own thread and within its budget.
    let runner: CollectorRunner
    /// Runs the platform's own collectors for live batches (docs/agent.md "Live mode"), within a live interval's budget.
    let liveRunner: CollectorRunner
    /// Property trees last sent, by announcement key (see `BatchContents`): sent again only when they
    /// change or at a refresh.
    var announced: [String: PropertyValue] = [:]
    /// The log and configuration files of the servers the last collection found, for the trackers.
    private(set) var serverFiles: [ServerFiles] = []
    /// What the collectors of the last batch found that commands may act on, for the command channel.
    private(set) var controlTargets: [ControlTargets] = []

    /// A builder reading the platform through `fs` and running `collectors` (by default the built-in ones
    /// without settings).
    init(fs: HostFS, intervalMs: Int64, refreshEvery: UInt64, collectors: [any Collector]? = nil, logger: Logger? = nil) {
        self.fs = fs
        self.intervalMs = intervalMs
        self.refreshEvery = max(1, refreshEvery)
        runner = CollectorRunner(collectors: collectors ?? CollectorRegistry.builtIn(fs: fs), intervalMs: intervalMs, logger: logger)
        liveRunner = CollectorRunner(collectors: CollectorRegistry.live(fs: fs), intervalMs: CollectionCadence.fastestMs, logger: logger)
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
        var contents = BatchContents(resources: [ResourceReport(kind: .platform, key: platform.identityKey, name: platform.hostname,
                                                                properties: properties)])
        let pass = CollectionPass(timestampMs: timestampMs, intervalMs: intervalMs, refresh: refresh, platformKey: platform.identityKey)
        controlTargets = []
        for delivery in runner.collect(pass) {
            let report = delivery.report
            contents.add(report.platform, to: 0, at: delivery.pass.timestampMs)
            for resource in report.resources {
                contents.add(resource, below: 0, at: delivery.pass.timestampMs) { key, properties in
                    changed(key, properties, refresh: delivery.pass.refresh)
                }
            }
            if let files = report.serverFiles { serverFiles = files }
            if let targets = report.controlTargets { controlTargets.append(targets) }
        }
        contents.add(runner.readings, to: 0, at: timestampMs)
        var batch = AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                               agentVersion: Agent.version, resources: contents.resources, series: contents.series)
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

    /// A live batch (docs/agent.md "Live mode"): the platform's own readings (`CollectorRegistry.live`) with the
    /// pending events and snapshots, no properties, no discovery. It announces the configured interval, like every
    /// batch, so the server's expectations of the agent do not change with live mode. Nil before the first
    /// collection found the platform.
    func liveBatch(agentID: String, sequence: UInt64, timestampMs: Int64, events: [OwnedEvent], configs: [OwnedConfig]) -> AgentBatch? {
        guard var batch = eventBatch(agentID: agentID, sequence: sequence, timestampMs: timestampMs, events: events, configs: configs),
              let platform else { return nil }
        var contents = BatchContents(resources: [batch.resources[0]])
        let pass = CollectionPass(timestampMs: timestampMs, intervalMs: CollectionCadence.fastestMs, refresh: false, platformKey: platform.identityKey)
        for delivery in liveRunner.collect(pass) { contents.add(delivery.report.platform, to: 0, at: delivery.pass.timestampMs) }
        batch.series = contents.series
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

    /// Adds hypervisors below the platform at index 0, and their VMs below them (see
    /// `HypervisorReport.resource(platformKey:)`). `properties` decides which property trees travel.
    static func append(_ hypervisors: [HypervisorReport], platformKey: String, timestampMs: Int64, resources: inout [ResourceReport],
                       series: inout [SeriesPoints], properties: (String, PropertyValue) -> PropertyValue?) {
        var contents = BatchContents(resources: resources, series: series)
        for hypervisor in hypervisors {
            contents.add(hypervisor.resource(platformKey: platformKey), below: 0, at: timestampMs, properties: properties)
        }
        resources = contents.resources
        series = contents.series
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
