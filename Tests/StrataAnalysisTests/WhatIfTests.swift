import StrataCore
import Testing
@testable import StrataAnalysis

/// What-if planning: the changed problem's plan keeps the rules, and the deltas agree with the two plans.
@Suite struct WhatIfTests {
    static func problem() throws -> PlacementProblem {
        var random = SplitMix64(state: 42)
        return try PlannerTests.problem(&random, count: 60, maxHosts: 30, groups: false)
    }

    @Test func removingAHostMovesItsWorkloadsAndNeverUsesIt() throws {
        let problem = try Self.problem()
        let before = Planner.plan(problem)
        let busiest = try #require(before.hostsUsed.first)
        let result = try Planner.whatIf(problem, [.removeHost(busiest)])
        #expect(!result.after.hostsUsed.contains(busiest))
        #expect(result.after.violations(in: result.changed).isEmpty)
        #expect(result.hostDelta == result.after.hostsUsed.count - result.before.hostsUsed.count)
        let movedSet = Set(result.moved)
        for (workload, host) in before.hostOf where host == busiest && result.after.hostOf[workload] != nil {
            #expect(movedSet.contains(workload), "\(workload) left the removed host")
        }
    }

    @Test func addingWorkloadsAndGrowingOnesNeedsAtLeastAsManyHosts() throws {
        let problem = try Self.problem()
        let model = problem.workloads[0].id
        let added = try Planner.whatIf(problem, [.addLike(workload: model, count: 5)])
        #expect(added.changed.workloads.count == problem.workloads.count + 5)
        #expect(added.after.hostOf.count + added.after.unplaced.count == problem.workloads.count + 5)
        #expect(added.after.violations(in: added.changed).isEmpty)

        let grown = try Planner.whatIf(problem, [.grow(workloads: problem.workloads.map(\.id), factor: 1.3)])
        #expect(grown.changed.workloads[3].demand.cpu == problem.workloads[3].demand.cpu * 1.3)
        #expect(grown.after.violations(in: grown.changed).isEmpty)
        #expect(grown.after.hostsUsed.count + grown.after.unplaced.count >= grown.before.hostsUsed.count,
                "30 % more demand never fits on fewer hosts with nothing left out")

        let more = try Planner.whatIf(problem, [.addHostLike(host: problem.hosts[0].id, count: 3)])
        #expect(more.changed.hosts.count == problem.hosts.count + 3)
    }

    @Test func changesNamingNothingOrOutOfRangeAreRefused() throws {
        let problem = try Self.problem()
        #expect(throws: PlanningError.unknown("nope")) { try Planner.whatIf(problem, [.removeHost("nope")]) }
        #expect(throws: PlanningError.unknown("nope")) { try Planner.whatIf(problem, [.grow(workloads: ["nope"], factor: 2)]) }
        #expect(throws: PlanningError.self) { try Planner.whatIf(problem, [.addLike(workload: problem.workloads[0].id, count: -1)]) }
        #expect(throws: PlanningError.self) { try Planner.whatIf(problem, [.grow(workloads: [problem.workloads[0].id], factor: .nan)]) }
    }

    @Test func riskSeesPeaksThatTakeTurnsAndStepsOverCapacity() throws {
        let day = Demand(cpu: 6), night = Demand(cpu: 1)
        let problem = try PlacementProblem(
            workloads: [Workload(id: "web", demand: Demand(cpu: 6, memory: 8), usage: [day, night, day, night]),
                        Workload(id: "batch", demand: Demand(cpu: 6, memory: 8), usage: [night, day, night, Demand(cpu: 7)])],
            hosts: [PlanningHost(id: "a", capacity: Demand(cpu: 12, memory: 32))])
        let plan = Planner.plan(problem)
        let risk = try #require(plan.risk(in: problem).first)
        #expect(risk.steps == 4)
        #expect(abs(risk.peakCoincidence - 8.0 / 13.0) < 1e-12, "summed cpu peak 8 over own peaks 6 + 7 (memory usage unknown: 0)")
        #expect(risk.contentionProbability == 0)
        let tight = try PlacementProblem(workloads: problem.workloads, hosts: [PlanningHost(id: "a", capacity: Demand(cpu: 7.5, memory: 32))],
                                         options: PlanningOptions())
        let forced = Plan(hostOf: ["web": "a", "batch": "a"], unplaced: [], method: .exact, problem: tight)
        #expect(forced.risk(in: tight).first?.contentionProbability == 0.25, "one step in four (cpu 8) is over 7.5")
    }
}
