import StrataAnalysis
import StrataCore

/// The consolidation planner at the issue's scale: 2,000 VMs of random CPU and memory (seeded) onto 200 hosts of
/// two sizes with 20 % headroom, some VMs in anti-affinity pairs; first fit decreasing beside best fit with local
/// search. One JSON line per method: seconds, hosts used, workloads left out, and a lower bound on hosts (in each
/// resource, the fewest hosts, largest first, whose plannable capacity covers the summed demand).
func measurePlanner(workloads count: Int = 2_000, hosts hostCount: Int = 200) throws -> [String] {
    var random = SplitMix64(state: 2_026)
    let gib = Double(1 << 30)
    let hosts = (0..<hostCount).map { index in
        PlanningHost(id: "host\(index)", capacity: index % 3 == 0 ? Demand(cpu: 64, memory: 512 * gib) : Demand(cpu: 32, memory: 256 * gib))
    }
    let workloads = (0..<count).map { index in
        StrataAnalysis.Workload(id: "vm\(index)", demand: Demand(cpu: Double(Int.random(in: 1...6, using: &random)) * 0.5,
                                                  memory: Double(Int.random(in: 1...32, using: &random)) * gib),
                 antiAffinityGroup: index % 10 < 2 ? "pair\(index / 10)" : nil)
    }
    let problem = try PlacementProblem(workloads: workloads, hosts: hosts, options: PlanningOptions(headroom: 0.2))
    let lowerBound = Planner.lowerBound(problem)
    var lines: [String] = []
    for (name, method) in [("first-fit-decreasing", Planner.firstFitDecreasing), ("best-fit-local-search", Planner.bestFitLocalSearch)] {
        let began = ContinuousClock.now
        let plan = method(problem)
        let elapsed = seconds(since: began)
        lines.append(#"{"case":"planner","method":"\#(name)","workloads":\#(count),"hosts":\#(hostCount),"seconds":\#(fixed(elapsed)),"hosts_used":\#(plan.hostsUsed.count),"unplaced":\#(plan.unplaced.count),"lower_bound_hosts":\#(lowerBound),"violations":\#(plan.violations(in: problem).count)}"#)
    }
    return lines
}

