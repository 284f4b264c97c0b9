/// A workload to place: a VM, or a physical machine considered for P2V, with what it needs (its p95 or p99
/// utilisation, chosen by the caller) and optionally its usage over aligned time steps for the risk estimate.
public struct Workload: Sendable, Hashable, Codable {
    /// Unique among the problem's workloads.
    public var id: String
    /// What it needs.
    public var demand: Demand
    /// Workloads sharing a group may not share a host (e.g. the two nodes of a cluster).
    public var antiAffinityGroup: String?
    /// Usage at aligned time steps (the same steps for every workload that has them), for peak coincidence and
    /// contention risk; empty when unknown.
    public var usage: [Demand]

    /// Creates a workload.
    public init(id: String, demand: Demand, antiAffinityGroup: String? = nil, usage: [Demand] = []) {
        self.id = id
        self.demand = demand
        self.antiAffinityGroup = antiAffinityGroup
        self.usage = usage
    }
}

/// A host workloads can go to, with its raw capacity.
public struct PlanningHost: Sendable, Hashable, Codable {
    /// Unique among the problem's hosts.
    public var id: String
    /// What it offers.
    public var capacity: Demand

    /// Creates a host.
    public init(id: String, capacity: Demand) {
        self.id = id
        self.capacity = capacity
    }
}

/// How much of a host may be planned: `headroom` is the share of every resource kept free (0.2 plans hosts to 80 %);
/// `memoryOvercommit` lets planned memory exceed physical memory by that factor (1 is none).
public struct PlanningOptions: Sendable, Hashable, Codable {
    /// Share of each resource kept free, 0 ≤ headroom < 1.
    public var headroom: Double
    /// Planned memory may be this many times physical memory, ≥ 1.
    public var memoryOvercommit: Double
    /// Problems with at most this many workloads are solved exactly (branch and bound); larger ones by best fit
    /// decreasing with local search.
    public var exactUpTo: Int

    /// Creates options.
    public init(headroom: Double = 0, memoryOvercommit: Double = 1, exactUpTo: Int = 10) {
        self.headroom = headroom
        self.memoryOvercommit = memoryOvercommit
        self.exactUpTo = exactUpTo
    }

    /// What a host of `capacity` may be planned to.
    public func plannable(_ capacity: Demand) -> Demand {
        var usable = capacity * (1 - headroom)
        usable.memory *= memoryOvercommit
        return usable
    }
}

/// Workloads, hosts and options, checked: ids unique, amounts finite and not negative, options in range.
public struct PlacementProblem: Sendable, Hashable {
    /// The workloads.
    public private(set) var workloads: [Workload]
    /// The hosts, in the caller's order (earlier hosts are preferred when equally good).
    public private(set) var hosts: [PlanningHost]
    /// The options.
    public private(set) var options: PlanningOptions

    /// A problem; throws when an id repeats, an amount is negative or not finite, or an option is out of range.
    public init(workloads: [Workload], hosts: [PlanningHost], options: PlanningOptions = PlanningOptions()) throws(PlanningError) {
        guard options.headroom.isFinite, (0..<1).contains(options.headroom) else {
            throw .invalidOption("headroom \(options.headroom) must be at least 0 and below 1")
        }
        guard options.memoryOvercommit.isFinite, options.memoryOvercommit >= 1, options.memoryOvercommit <= 100 else {
            throw .invalidOption("memoryOvercommit \(options.memoryOvercommit) must be between 1 and 100")
        }
        var seen = Set<String>()
        for workload in workloads {
            guard seen.insert("w:" + workload.id).inserted else { throw .duplicateID(workload.id) }
            guard workload.demand.isValid, workload.usage.allSatisfy(\.isValid) else { throw .invalidAmount(workload.id) }
        }
        for host in hosts {
            guard seen.insert("h:" + host.id).inserted else { throw .duplicateID(host.id) }
            guard host.capacity.isValid else { throw .invalidAmount(host.id) }
        }
        self.workloads = workloads
        self.hosts = hosts
        self.options = options
    }
}

/// Why a planning problem or a what-if cannot be evaluated.
public enum PlanningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An id appears twice among the workloads or among the hosts.
    case duplicateID(String)
    /// A workload's demand or a host's capacity is negative or not finite.
    case invalidAmount(String)
    /// An option is out of range.
    case invalidOption(String)
    /// A what-if names a workload or host the problem does not have.
    case unknown(String)

    public var description: String {
        switch self {
        case .duplicateID(let id): return "the id \"\(id)\" is used twice; workload and host ids must be unique"
        case .invalidAmount(let id): return "\"\(id)\" has a negative or non-finite amount; amounts must be finite and ≥ 0"
        case .invalidOption(let text): return text
        case .unknown(let id): return "no workload or host \"\(id)\" in the problem"
        }
    }
}
