extension Planner {
    /// Fewest hosts any plan can use: for each resource, how many of the largest hosts (their plannable capacity)
    /// the total demand needs at least; the largest of those counts. Every workload placed counts.
    public static func lowerBound(_ problem: PlacementProblem) -> Int {
        let total = problem.workloads.reduce(Demand.zero) { $0 + $1.demand }
        let offered = problem.hosts.map { problem.options.plannable($0.capacity) }
        return zip(total.values, Demand.names.indices).map { need, index in
            var left = need, count = 0
            for capacity in offered.map({ $0.values[index] }).sorted(by: >) where left > 0 {
                left -= capacity
                count += 1
            }
            return count
        }.max() ?? 0
    }
}
