/// How likely a plan's hosts are to run short, from the workloads' usage over aligned time steps.
public struct HostRisk: Sendable, Hashable {
    /// The host.
    public var host: String
    /// Peak of the summed usage over the sum of each workload's own peak, in the resource where it is highest:
    /// 1 when the peaks coincide, lower when they take turns.
    public var peakCoincidence: Double
    /// Share of the time steps at which the summed usage exceeds the host's raw capacity in some resource.
    public var contentionProbability: Double
    /// Time steps the estimate rests on (0: no usage known for this host's workloads).
    public var steps: Int
}

extension Plan {
    /// The risk of each used host, from the usage series of its workloads; a host whose workloads lack usage (or
    /// have series of different lengths) gets `steps` 0 and no estimate.
    public func risk(in problem: PlacementProblem) -> [HostRisk] {
        var onHost: [String: [Workload]] = [:]
        for workload in problem.workloads {
            if let host = hostOf[workload.id] { onHost[host, default: []].append(workload) }
        }
        let capacities = Dictionary(uniqueKeysWithValues: problem.hosts.map { ($0.id, $0.capacity) })
        return hostsUsed.map { host in
            let workloads = onHost[host] ?? []
            let steps = workloads.first?.usage.count ?? 0
            guard steps > 0, workloads.allSatisfy({ $0.usage.count == steps }), let capacity = capacities[host] else {
                return HostRisk(host: host, peakCoincidence: 0, contentionProbability: 0, steps: 0)
            }
            var sums = Array(repeating: Demand.zero, count: steps)
            var ownPeaks = Demand.zero
            for workload in workloads {
                for (step, usage) in workload.usage.enumerated() { sums[step] = sums[step] + usage }
                ownPeaks = ownPeaks + Demand.largest(of: workload.usage)
            }
            let summedPeak = Demand.largest(of: sums)
            let coincidence = zip(summedPeak.values, ownPeaks.values).map { $1 > 0 ? $0 / $1 : 0 }.max() ?? 0
            let short = sums.filter { !$0.fits(within: capacity) }.count
            return HostRisk(host: host, peakCoincidence: coincidence, contentionProbability: Double(short) / Double(steps), steps: steps)
        }
    }
}
