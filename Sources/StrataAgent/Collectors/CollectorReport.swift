import StrataCore

/// What one run of a collector found: readings of the platform itself and the resources below it.
struct CollectorReport: Sendable {
    /// Readings of the platform (the host's own metrics, the agent's footprint).
    var platform = MetricSink()
    /// Resources below the platform, each with its readings and the resources below it.
    var resources: [ReportedResource] = []
    /// The log and configuration files of the servers found, for the trackers (the servers collector
    /// sets it); nil leaves the trackers' files as they are.
    var serverFiles: [ServerFiles]?
    /// The resources found that commands may act on (servers by main process, VMs by hypervisor), for the command
    /// channel's registry; nil leaves the collector's previous ones in place.
    var controlTargets: ControlTargets?
}

/// One resource a collector reports (a server, service, container, hypervisor, VM) with its readings and the
/// resources below it.
struct ReportedResource: Sendable {
    /// Its kind.
    var kind: ResourceKind
    /// Its natural key, e.g. `machine-id:…/redis:6379`, or `vm:UUID` for a VM (its identity wherever it runs).
    var key: String
    /// Display name.
    var name: String
    /// Its whole property tree; the batch carries it when it changed or at a refresh. Nil when there is
    /// none to tell (a server that is gone, a hypervisor that cannot be reached).
    var properties: PropertyValue?
    /// Its readings.
    var metrics: MetricSink
    /// Resources below it (a server's services, a hypervisor's VMs).
    var children: [ReportedResource] = []

    /// A resource that is gone or cannot be read: `up` 0 and nothing else.
    static func down(_ kind: ResourceKind, key: String, name: String) -> ReportedResource {
        var metrics = MetricSink()
        metrics.gauge("up", 0)
        return ReportedResource(kind: kind, key: key, name: name, properties: nil, metrics: metrics)
    }
}
