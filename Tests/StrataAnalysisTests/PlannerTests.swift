import StrataCore
import Testing
@testable import StrataAnalysis

/// The consolidation planner against brute force on small random problems, and its rules (capacity, anti-affinity)
/// on larger ones.
@Suite struct PlannerTests {
    /// A random problem: 2 to `maxHosts` hosts of two sizes, `count` workloads of random CPU and memory, some in
    /// anti-affinity groups.
    static func problem(_ random: inout SplitMix64, count: Int, maxHosts: Int, groups: Bool = true) throws -> PlacementProblem {
        let hostCount = Int.random(in: 2...maxHosts, using: &random)
        let hosts = (0..<hostCount).map { index in
            PlanningHost(id: "h\(index)", capacity: index % 2 == 0 ? Demand(cpu: 16, memory: 64) : Demand(cpu: 8, memory: 48))
        }
        let workloads = (0..<count).map { index in
            Workload(id: "w\(index)", demand: Demand(cpu: Double(Int.random(in: 1...8, using: &random)), memory: Double(Int.random(in: 2...30, using: &random))),
                     antiAffinityGroup: groups && Int.random(in: 0..<4, using: &random) == 0 ? "g\(Int.random(in: 0..<2, using: &random))" : nil)
        }
        return try PlacementProblem(workloads: workloads, hosts: hosts, options: PlanningOptions(headroom: 0.1))
    }

    /// The fewest hosts that take every workload, by trying every assignment; nil when none takes them all.
    static func bruteForce(_ problem: PlacementProblem) -> Int? {
        let limits = problem.hosts.map { problem.options.plannable($0.capacity) }
        var best: Int?
        var assignment = Array(repeating: 0, count: problem.workloads.count)
        func search(_ index: Int) {
            if index == problem.workloads.count {
                var load = Array(repeating: Demand.zero, count: limits.count)
                var groups = Set<String>()
                for (item, host) in assignment.enumerated() {
                    load[host] = load[host] + problem.workloads[item].demand
                    if let group = problem.workloads[item].antiAffinityGroup, !groups.insert("\(group)/\(host)").inserted { return }
                }
                guard zip(load, limits).allSatisfy({ $0.fits(within: $1) }) else { return }
                let used = Set(assignment).count
                if best == nil || used < best! { best = used }
                return
            }
            for host in limits.indices {
                assignment[index] = host
                search(index + 1)
            }
        }
        search(0)
        return best
    }

    @Test func smallProblemsGetTheFewestHostsAndTheHeuristicStaysWithinTenPercent() throws {
        var random = SplitMix64(state: 20_261_203)
        var optimalTotal = 0, heuristicTotal = 0, firstFitTotal = 0, cases = 0, heuristicIncomplete = 0
        for _ in 0..<150 {
            let problem = try Self.problem(&random, count: Int.random(in: 3...7, using: &random), maxHosts: 5)
            guard let optimal = Self.bruteForce(problem) else {
                #expect(!Planner.plan(problem).unplaced.isEmpty, "no assignment takes every workload: the planner cannot either")
                continue
            }
            cases += 1
            let plan = Planner.plan(problem)
            #expect(plan.unplaced.isEmpty && plan.hostsUsed.count == optimal, "small problems are solved exactly: \(plan.hostsUsed.count) vs \(optimal)")
            #expect(plan.violations(in: problem).isEmpty)
            let heuristic = Planner.bestFitLocalSearch(problem)
            #expect(heuristic.violations(in: problem).isEmpty)
            guard heuristic.unplaced.isEmpty else {
                // Greedy placement can strand a workload that an exhaustive search places; plan() is exact here.
                heuristicIncomplete += 1
                continue
            }
            #expect(heuristic.hostsUsed.count <= optimal + 1, "one host above the optimum at most")
            optimalTotal += optimal
            heuristicTotal += heuristic.hostsUsed.count
            firstFitTotal += Planner.firstFitDecreasing(problem).hostsUsed.count
        }
        #expect(cases >= 100, "most random cases have a solution")
        #expect(heuristicIncomplete * 50 <= cases, "the heuristic alone places everything in 98 % of the cases (\(heuristicIncomplete) of \(cases) not)")
        #expect(Double(heuristicTotal) <= 1.10 * Double(optimalTotal), "best fit with local search: \(heuristicTotal) hosts vs \(optimalTotal) optimal")
        #expect(heuristicTotal <= firstFitTotal, "no worse than first fit decreasing (\(firstFitTotal))")
    }

    @Test func largeProblemsKeepCapacityAndAntiAffinity() throws {
        var random = SplitMix64(state: 7)
        for _ in 0..<3 {
            var problem = try Self.problem(&random, count: 200, maxHosts: 80)
            let plan = Planner.plan(problem)
            #expect(plan.violations(in: problem).isEmpty, "\(plan.violations(in: problem).prefix(3))")
            #expect(plan.method == .bestFitLocalSearch)
            problem = try PlacementProblem(workloads: problem.workloads, hosts: problem.hosts, options: PlanningOptions(headroom: 0.3, memoryOvercommit: 1.5))
            #expect(Planner.plan(problem).violations(in: problem).isEmpty)
        }
    }

    @Test func antiAffinityLeavesAWorkloadUnplacedRatherThanSharingAHost() throws {
        let problem = try PlacementProblem(
            workloads: (1...3).map { Workload(id: "db\($0)", demand: Demand(cpu: 1, memory: 1), antiAffinityGroup: "db") },
            hosts: [PlanningHost(id: "a", capacity: Demand(cpu: 32, memory: 128)), PlanningHost(id: "b", capacity: Demand(cpu: 32, memory: 128))])
        let plan = Planner.plan(problem)
        #expect(plan.unplaced.count == 1 && plan.hostsUsed.count == 2)
        #expect(plan.violations(in: problem).isEmpty)
    }

    @Test func headroomAndOvercommitChangeWhatAHostMayTake() throws {
        let workloads = (1...4).map { Workload(id: "vm\($0)", demand: Demand(cpu: 2, memory: 16)) }
        let host = [PlanningHost(id: "a", capacity: Demand(cpu: 16, memory: 64)), PlanningHost(id: "b", capacity: Demand(cpu: 16, memory: 64))]
        #expect(Planner.plan(try PlacementProblem(workloads: workloads, hosts: host)).hostsUsed.count == 1)
        #expect(Planner.plan(try PlacementProblem(workloads: workloads, hosts: host, options: PlanningOptions(headroom: 0.2))).hostsUsed.count == 2)
        #expect(Planner.plan(try PlacementProblem(workloads: workloads, hosts: host, options: PlanningOptions(headroom: 0.2, memoryOvercommit: 1.25))).hostsUsed.count == 1)
    }

    @Test func badProblemsAreRefusedNamingWhatIsWrong() {
        let host = PlanningHost(id: "a", capacity: Demand(cpu: 8, memory: 32))
        #expect(throws: PlanningError.invalidAmount("x")) { try PlacementProblem(workloads: [Workload(id: "x", demand: Demand(cpu: -1))], hosts: [host]) }
        #expect(throws: PlanningError.invalidAmount("x")) { try PlacementProblem(workloads: [Workload(id: "x", demand: Demand(memory: .nan))], hosts: [host]) }
        #expect(throws: PlanningError.duplicateID("a")) { try PlacementProblem(workloads: [], hosts: [host, host]) }
        #expect(throws: PlanningError.self) { try PlacementProblem(workloads: [], hosts: [host], options: PlanningOptions(headroom: 1)) }
        #expect(throws: PlanningError.self) { try PlacementProblem(workloads: [], hosts: [host], options: PlanningOptions(memoryOvercommit: .infinity)) }
    }
}
