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
    /// Server keys whose properties were sent since start.
    var announced: Set<String> = []

    init(fs: HostFS, intervalMs: Int64, refreshEvery: UInt64, servers: ServerDiscovery? = nil) {
        self.fs = fs
        self.intervalMs = intervalMs
        self.refreshEvery = max(1, refreshEvery)
        self.servers = servers ?? ServerDiscovery(fs: fs)
    }

    mutating func build(agentID: String, sequence: UInt64, timestampMs: Int64) -> AgentBatch {
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
        func add(_ sink: MetricSink, to index: Int) {
            for reading in sink.readings {
                series.append(SeriesPoints(resourceIndex: index, metric: reading.metric, type: reading.type, labels: reading.labels,
                                           points: [Sample(timestampMs, reading.value)]))
            }
        }
        add(sink, to: 0)
        let found = servers.collect(refresh: refresh)
        for report in found.servers {
            let key = platform.identityKey + "/" + report.key
            let sendProperties = refresh || !announced.contains(report.key)
            announced.insert(report.key)
            let serverIndex = resources.count
            resources.append(ResourceReport(kind: .server, key: key, name: report.name, parentIndex: 0,
                                            properties: sendProperties ? .map(report.properties) : nil))
            add(report.metrics, to: serverIndex)
            for service in report.services {
                resources.append(ResourceReport(kind: .service, key: key + "/" + service.key, name: service.name, parentIndex: serverIndex,
                                                properties: sendProperties ? .map(service.properties) : nil))
                add(service.metrics, to: resources.count - 1)
            }
        }
        for gone in found.down {
            resources.append(ResourceReport(kind: .server, key: platform.identityKey + "/" + gone.key, name: gone.name, parentIndex: 0))
            var down = MetricSink()
            down.gauge("up", 0)
            add(down, to: resources.count - 1)
        }
        return AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                          agentVersion: Agent.version, resources: resources, series: series)
    }
}
