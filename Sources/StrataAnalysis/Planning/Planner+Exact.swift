extension Planner {
    /// The fewest hosts that take every workload, by branch and bound; nil when no assignment takes them all, when
    /// none beats `upperBound` (a plan that placed everything), or when the search visits more than `maxNodes`
    /// assignments without finding one. Unused hosts of equal capacity are interchangeable: one of each is tried.
    public static func exact(_ problem: PlacementProblem, upperBound: Plan? = nil, maxNodes: Int = 2_000_000) -> Plan? {
        let order = decreasingOrder(problem)
        let opening = openingOrder(problem)
        var search = ExactSearch(state: PlacementState(problem), order: order, opening: opening, problem: problem,
                                 best: upperBound.flatMap { $0.unplaced.isEmpty ? $0.hostsUsed.count : nil } ?? Int.max,
                                 nodesLeft: maxNodes)
        search.assign(0)
        return search.bestState?.plan(problem, method: .exact)
    }
}

/// The depth-first search behind `Planner.exact`.
struct ExactSearch {
    var state: PlacementState
    let order: [Int]
    let opening: [Int]
    let problem: PlacementProblem
    var best: Int
    var bestState: PlacementState?
    var nodesLeft: Int

    mutating func assign(_ depth: Int) {
        guard nodesLeft > 0 else { return }
        nodesLeft -= 1
        let used = state.usedCount
        if used >= best { return }
        if depth == order.count {
            best = used
            bestState = state
            return
        }
        let item = order[depth]
        for host in state.usedHosts where state.canPlace(item, on: host) {
            state.place(item, on: host)
            assign(depth + 1)
            state.remove(item)
        }
        guard used + 1 < best else { return }
        var triedCapacities = Set<Demand>()
        for host in opening where state.members[host].isEmpty && state.canPlace(item, on: host) {
            guard triedCapacities.insert(problem.hosts[host].capacity).inserted else { continue }
            state.place(item, on: host)
            assign(depth + 1)
            state.remove(item)
        }
    }
}
