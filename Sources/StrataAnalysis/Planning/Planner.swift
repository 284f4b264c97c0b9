/// Places workloads onto hosts with as few hosts as it can: exactly (branch and bound) for small problems, else best
/// fit decreasing followed by a local search that empties hosts; first fit decreasing is kept as the baseline to
/// compare with. Pure and deterministic: the same problem gives the same plan.
public enum Planner {
    /// The plan for `problem`: exact up to `options.exactUpTo` workloads, best fit with local search beyond.
    public static func plan(_ problem: PlacementProblem) -> Plan {
        let heuristic = bestFitLocalSearch(problem)
        guard problem.workloads.count <= problem.options.exactUpTo else { return heuristic }
        return exact(problem, upperBound: heuristic) ?? heuristic
    }

    /// First fit decreasing: largest workloads first, each onto the first used host it fits, else onto the largest
    /// unused host it fits.
    public static func firstFitDecreasing(_ problem: PlacementProblem) -> Plan {
        var state = PlacementState(problem)
        let opening = openingOrder(problem)
        for item in decreasingOrder(problem) {
            if let host = state.usedHosts.first(where: { state.canPlace(item, on: $0) })
                ?? opening.first(where: { state.members[$0].isEmpty && state.canPlace(item, on: $0) }) {
                state.place(item, on: host)
            }
        }
        return state.plan(problem, method: .firstFitDecreasing)
    }

    /// Best fit decreasing (each workload onto the used host it fills most tightly, else the largest unused host it
    /// fits), then local search: the least loaded hosts are emptied into the others while that succeeds.
    public static func bestFitLocalSearch(_ problem: PlacementProblem) -> Plan {
        var state = PlacementState(problem)
        let opening = openingOrder(problem)
        let order = decreasingOrder(problem)
        for item in order {
            if let host = tightest(item, among: state.usedHosts, in: state)
                ?? opening.first(where: { state.members[$0].isEmpty && state.canPlace(item, on: $0) }) {
                state.place(item, on: host)
            }
        }
        makeRoom(&state, order: order, opening: opening)
        emptyHosts(&state, order: order)
        return state.plan(problem, method: .bestFitLocalSearch)
    }

    /// Repair: a workload no host took gets a host by moving one workload from that host to another, where such a
    /// move exists (first the used hosts, then the unused ones in opening order).
    static func makeRoom(_ state: inout PlacementState, order: [Int], opening: [Int]) {
        for item in order where state.hostOfItem[item] == nil {
            let hosts = state.usedHosts + opening.filter { state.members[$0].isEmpty }
            search: for host in hosts {
                for other in state.members[host] {
                    state.remove(other)
                    if state.canPlace(item, on: host) {
                        state.place(item, on: host)
                        let targets = state.usedHosts.filter { $0 != host } + opening.filter { $0 != host && state.members[$0].isEmpty }
                        if let target = targets.first(where: { state.canPlace(other, on: $0) }) {
                            state.place(other, on: target)
                            break search
                        }
                        state.remove(item)
                    }
                    state.place(other, on: host)
                }
            }
        }
    }

    /// The used host `item` fits most tightly, if any.
    static func tightest(_ item: Int, among hosts: [Int], in state: PlacementState) -> Int? {
        var best: (host: Int, slack: Double)?
        for host in hosts where state.canPlace(item, on: host) {
            let slack = state.slackAfter(item, on: host)
            if best == nil || slack < best!.slack { best = (host, slack) }
        }
        return best?.host
    }

    /// Local search: tries the used hosts from the least loaded up; a host whose workloads all fit elsewhere is
    /// emptied, and the search starts over, until no host can be emptied. Moves are undone when a host cannot be
    /// emptied, so nothing is copied.
    static func emptyHosts(_ state: inout PlacementState, order: [Int]) {
        let rank = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        var improved = true
        while improved {
            improved = false
            let candidates = state.usedHosts.sorted {
                state.load[$0].totalShare(of: state.limits[$0]) < state.load[$1].totalShare(of: state.limits[$1])
            }
            for host in candidates {
                let items = state.members[host].sorted { rank[$0, default: 0] < rank[$1, default: 0] }
                for item in items { state.remove(item) }
                let others = state.usedHosts.filter { $0 != host }
                var placed: [Int] = []
                for item in items {
                    guard let target = tightest(item, among: others, in: state) else { break }
                    state.place(item, on: target)
                    placed.append(item)
                }
                if placed.count == items.count {
                    improved = true
                    break
                }
                for item in placed { state.remove(item) }
                for item in items { state.place(item, on: host) }
            }
        }
    }

    /// Workload indices, largest first: by the largest share of the biggest host's capacity, then by the summed share.
    static func decreasingOrder(_ problem: PlacementProblem) -> [Int] {
        let reference = largestCapacity(problem)
        let keys = problem.workloads.map { ($0.demand.largestShare(of: reference), $0.demand.totalShare(of: reference)) }
        return problem.workloads.indices.sorted { keys[$0].0 != keys[$1].0 ? keys[$0].0 > keys[$1].0 : (keys[$0].1 != keys[$1].1 ? keys[$0].1 > keys[$1].1 : $0 < $1) }
    }

    /// Host indices in the order unused hosts are opened: the largest first (by summed share of the biggest host),
    /// the problem's order among equals.
    static func openingOrder(_ problem: PlacementProblem) -> [Int] {
        let reference = largestCapacity(problem)
        let sizes = problem.hosts.map { problem.options.plannable($0.capacity).totalShare(of: reference) }
        return problem.hosts.indices.sorted { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : $0 < $1 }
    }

    /// The largest plannable amount of each resource any host offers.
    static func largestCapacity(_ problem: PlacementProblem) -> Demand {
        Demand.largest(of: problem.hosts.map { problem.options.plannable($0.capacity) })
    }
}
