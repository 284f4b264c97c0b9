/// Where each workload goes, which hosts are used, and what could not be placed.
public struct Plan: Sendable, Hashable {
    /// How the plan was found.
    public enum Method: String, Sendable, Hashable, Codable {
        /// First fit decreasing: the baseline.
        case firstFitDecreasing = "first-fit-decreasing"
        /// Best fit decreasing, then local search that empties hosts.
        case bestFitLocalSearch = "best-fit-local-search"
        /// Branch and bound: the fewest hosts possible (small problems).
        case exact
    }

    /// Host id of each placed workload.
    public var hostOf: [String: String]
    /// Workloads no host could take (too large, or anti-affinity ruled out every host), in the problem's order.
    public var unplaced: [String]
    /// The method.
    public var method: Method
    /// Hosts holding at least one workload, in the problem's host order.
    public var hostsUsed: [String]

    /// Creates a plan; `hostsUsed` follows from `hostOf` and the problem's host order.
    init(hostOf: [String: String], unplaced: [String], method: Method, problem: PlacementProblem) {
        self.hostOf = hostOf
        self.unplaced = unplaced
        self.method = method
        let used = Set(hostOf.values)
        hostsUsed = problem.hosts.map(\.id).filter(used.contains)
    }

    /// Hosts holding nothing: those the plan frees.
    public func hostsFree(in problem: PlacementProblem) -> [String] {
        let used = Set(hostsUsed)
        return problem.hosts.map(\.id).filter { !used.contains($0) }
    }

    /// The summed demand of the workloads on each used host.
    public func load(in problem: PlacementProblem) -> [String: Demand] {
        var load: [String: Demand] = [:]
        for workload in problem.workloads {
            if let host = hostOf[workload.id] { load[host, default: .zero] = load[host, default: .zero] + workload.demand }
        }
        return load
    }

    /// What breaks the problem's rules: a host loaded past its plannable capacity, two workloads of one
    /// anti-affinity group on one host, a workload both placed and unplaced or neither, an unknown host. Empty for a
    /// valid plan.
    public func violations(in problem: PlacementProblem) -> [String] {
        var found: [String] = []
        let hosts = Dictionary(uniqueKeysWithValues: problem.hosts.map { ($0.id, $0) })
        for (host, load) in load(in: problem) {
            guard let capacity = hosts[host]?.capacity else { found.append("unknown host \(host)"); continue }
            if !load.fits(within: problem.options.plannable(capacity)) { found.append("host \(host) over its plannable capacity") }
        }
        var groups = Set<String>()
        let unplacedSet = Set(unplaced)
        for workload in problem.workloads {
            let host = hostOf[workload.id]
            if (host == nil) == !unplacedSet.contains(workload.id) { found.append("workload \(workload.id) placed and unplaced, or neither") }
            if let host, let group = workload.antiAffinityGroup, !groups.insert(group + "\u{0}" + host).inserted {
                found.append("anti-affinity group \(group) twice on host \(host)")
            }
        }
        return found
    }
}
