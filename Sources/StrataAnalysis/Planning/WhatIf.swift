/// A change to a placement problem, to see what it does to the plan.
public enum WhatIfChange: Sendable, Hashable {
    /// The host is gone (maintenance, failure, decommissioning).
    case removeHost(String)
    /// `count` more workloads like an existing one (same demand, usage and group), named `ID+1`, `ID+2`, ….
    case addLike(workload: String, count: Int)
    /// The workloads' demand and usage grow by `factor` (1.3 for 30 % more).
    case grow(workloads: [String], factor: Double)
    /// `count` more hosts like an existing one, named `ID+1`, `ID+2`, ….
    case addHostLike(host: String, count: Int)
}

/// A plan before and after changes, and what changed between them.
public struct WhatIfResult: Sendable, Hashable {
    /// The plan of the problem as it is.
    public var before: Plan
    /// The plan of the changed problem.
    public var after: Plan
    /// The changed problem.
    public var changed: PlacementProblem
    /// Hosts used after minus hosts used before (negative: hosts freed).
    public var hostDelta: Int { after.hostsUsed.count - before.hostsUsed.count }
    /// Workloads on another host after than before (new and removed workloads aside), sorted.
    public var moved: [String] {
        before.hostOf.compactMap { workload, host in after.hostOf[workload].map { $0 == host ? nil : workload } ?? nil }.sorted()
    }
    /// Workloads no host takes after the changes, though they were placed before (or are new).
    public var newlyUnplaced: [String] {
        let was = Set(before.unplaced)
        return after.unplaced.filter { !was.contains($0) }
    }
}

extension Planner {
    /// Plans `problem` as it is and with `changes` applied in order; throws when a change names a workload or host
    /// the problem lacks, or asks for a negative count or a factor that is negative or not finite.
    public static func whatIf(_ problem: PlacementProblem, _ changes: [WhatIfChange]) throws(PlanningError) -> WhatIfResult {
        var workloads = problem.workloads
        var hosts = problem.hosts
        for change in changes {
            switch change {
            case .removeHost(let id):
                guard hosts.contains(where: { $0.id == id }) else { throw .unknown(id) }
                hosts.removeAll { $0.id == id }
            case let .addLike(id, count):
                guard let model = workloads.first(where: { $0.id == id }) else { throw .unknown(id) }
                guard (0...100_000).contains(count) else { throw .invalidOption("count \(count) must be between 0 and 100000") }
                for n in stride(from: 1, through: count, by: 1) {
                    var copy = model
                    copy.id = "\(id)+\(n)"
                    workloads.append(copy)
                }
            case let .grow(ids, factor):
                guard factor.isFinite, factor >= 0, factor <= 1_000 else { throw .invalidOption("factor \(factor) must be between 0 and 1000") }
                for id in ids {
                    guard let index = workloads.firstIndex(where: { $0.id == id }) else { throw .unknown(id) }
                    workloads[index].demand = workloads[index].demand * factor
                    workloads[index].usage = workloads[index].usage.map { $0 * factor }
                }
            case let .addHostLike(id, count):
                guard let model = hosts.first(where: { $0.id == id }) else { throw .unknown(id) }
                guard (0...100_000).contains(count) else { throw .invalidOption("count \(count) must be between 0 and 100000") }
                for n in stride(from: 1, through: count, by: 1) { hosts.append(PlanningHost(id: "\(id)+\(n)", capacity: model.capacity)) }
            }
        }
        let changed = try PlacementProblem(workloads: workloads, hosts: hosts, options: problem.options)
        return WhatIfResult(before: plan(problem), after: plan(changed), changed: changed)
    }
}
