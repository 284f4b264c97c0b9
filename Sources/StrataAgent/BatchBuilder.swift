import StrataCore

/// Turns one collection pass into a batch: the platform resource (with its properties when they changed,
/// and at least every `refreshEvery` batches) and one point per reading.
struct BatchBuilder: Sendable {
    let fs: HostFS
    let intervalMs: Int64
    let refreshEvery: UInt64
    var lastProperties: PropertyValue?
    var batchesSinceProperties: UInt64 = 0

    init(fs: HostFS, intervalMs: Int64, refreshEvery: UInt64) {
        self.fs = fs
        self.intervalMs = intervalMs
        self.refreshEvery = max(1, refreshEvery)
    }

    mutating func build(agentID: String, sequence: UInt64, timestampMs: Int64) -> AgentBatch {
        let platform = PlatformDiscovery(fs: fs).discover()
        var sink = MetricSink()
        PlatformCollector(fs: fs).collect(into: &sink)
        SelfCollector().collect(into: &sink)

        var properties: PropertyValue?
        batchesSinceProperties += 1
        if platform.properties != lastProperties || batchesSinceProperties >= refreshEvery {
            properties = platform.properties
            lastProperties = platform.properties
            batchesSinceProperties = 0
        }
        let resource = ResourceReport(kind: .platform, key: platform.identityKey, name: platform.hostname,
                                      properties: properties)
        let series = sink.readings.map { reading in
            SeriesPoints(resourceIndex: 0, metric: reading.metric, type: reading.type, labels: reading.labels,
                         points: [Sample(timestampMs, reading.value)])
        }
        return AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                          agentVersion: Agent.version, resources: [resource], series: series)
    }
}
