import StrataCore

/// Turns one collection pass into a batch: the platform resource and one point per reading.
///
/// Discovery runs on the first batch and then every `refreshEvery` batches (5 min at 10 s); the
/// properties travel only on those batches, so the steady-state cost of a collection is the metrics alone.
struct BatchBuilder: Sendable {
    let fs: HostFS
    let intervalMs: Int64
    let refreshEvery: UInt64
    var platform: PlatformInfo?
    var batchesSinceDiscovery: UInt64 = 0

    init(fs: HostFS, intervalMs: Int64, refreshEvery: UInt64) {
        self.fs = fs
        self.intervalMs = intervalMs
        self.refreshEvery = max(1, refreshEvery)
    }

    mutating func build(agentID: String, sequence: UInt64, timestampMs: Int64) -> AgentBatch {
        var properties: PropertyValue?
        if platform == nil || batchesSinceDiscovery >= refreshEvery {
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
        let series = sink.readings.map { reading in
            SeriesPoints(resourceIndex: 0, metric: reading.metric, type: reading.type, labels: reading.labels,
                         points: [Sample(timestampMs, reading.value)])
        }
        return AgentBatch(agentID: agentID, sequence: sequence, createdAtMs: timestampMs, intervalMs: UInt64(intervalMs),
                          agentVersion: Agent.version, resources: [resource], series: series)
    }
}
