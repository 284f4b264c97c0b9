/// What a series measures, which decides the evidence the root-cause ranking looks for in it.
public enum SignalRole: Sendable, Hashable, Codable {
    /// A level: CPU, latency, errors per second.
    case gauge
    /// A cumulative count of work (a webapp's requests): correlated through its rate, and the counters leaks are
    /// attributed to.
    case workload
    /// Memory-like (a heap, a process's RSS), looked at for leaks; `limit` (a maximum heap) when known.
    case memory(limit: Double?)
    /// A level with a capacity (disk bytes used of the disk's size): looked at for exhaustion.
    case usage(limit: Double)

    /// The capacity, when the role has one.
    public var limit: Double? {
        switch self {
        case .memory(let limit): return limit
        case .usage(let limit): return limit
        case .gauge, .workload: return nil
        }
    }
}

/// One series of the symptom's neighbourhood, with where its resource stands relative to the symptom's.
public struct Signal: Sendable, Hashable {
    /// The resource the series belongs to.
    public var resourceID: String
    /// Its name and kind, for the explanation.
    public var resourceName: String, resourceKind: String
    /// The metric's name.
    public var metric: String
    /// What it measures.
    public var role: SignalRole
    /// How the resource relates to the symptom's, in words ("the same VM", "a VM on the same host").
    public var relation: String
    /// Hops in the topology from the symptom's resource (0: the same resource).
    public var distance: Int
    /// The server the series belongs to (a server's own id, or a service's server): a leak in a server's memory is
    /// attributed to the workload counters of the same server.
    public var serverID: String?
    /// Whether the series sums other candidates (a host's CPU sums its VMs'): such a series loses to a more specific
    /// one that moves with it.
    public var aggregate: Bool
    /// Whether the resource is on the symptom's own causal path: above or beneath it in the stack, or something it
    /// depends on (not a neighbour that merely shares a host). A leak off that path can hardly cause the symptom.
    public var onPath: Bool
    /// The samples, in time order.
    public var points: [TimePoint]
    /// When the process behind the series started again (known restarts; a memory's fall is also taken as one).
    public var restarts: [Int64]

    /// Creates a signal.
    public init(resourceID: String, resourceName: String, resourceKind: String, metric: String, role: SignalRole = .gauge,
                relation: String, distance: Int, serverID: String? = nil, aggregate: Bool = false, onPath: Bool = true,
                points: [TimePoint], restarts: [Int64] = []) {
        self.resourceID = resourceID
        self.resourceName = resourceName
        self.resourceKind = resourceKind
        self.metric = metric
        self.role = role
        self.relation = relation
        self.distance = distance
        self.serverID = serverID
        self.aggregate = aggregate
        self.onPath = onPath
        self.points = points
        self.restarts = restarts
    }
}

/// A change recorded as an event (a configuration file changed, a package upgraded) near the symptom.
public struct ChangeEvent: Sendable, Hashable {
    /// The resource changed.
    public var resourceID: String, resourceName: String, resourceKind: String
    /// How it relates to the symptom's resource, and the hops to it.
    public var relation: String, distance: Int
    /// When (ms).
    public var time: Int64
    /// What changed, in a few words ("/etc/nginx/nginx.conf changed").
    public var summary: String

    /// Creates a change event.
    public init(resourceID: String, resourceName: String, resourceKind: String, relation: String, distance: Int, time: Int64, summary: String) {
        self.resourceID = resourceID
        self.resourceName = resourceName
        self.resourceKind = resourceKind
        self.relation = relation
        self.distance = distance
        self.time = time
        self.summary = summary
    }
}
