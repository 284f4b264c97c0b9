/// The working state of a placement search, by index: each host's load and anti-affinity groups, each workload's
/// host. Internal to the planners; copied freely (value type).
struct PlacementState {
    let demands: [Demand]
    let groups: [String?]
    let limits: [Demand]
    var load: [Demand]
    var members: [[Int]]
    var groupsOn: [Set<String>]
    var hostOfItem: [Int?]

    init(_ problem: PlacementProblem) {
        demands = problem.workloads.map(\.demand)
        groups = problem.workloads.map(\.antiAffinityGroup)
        limits = problem.hosts.map { problem.options.plannable($0.capacity) }
        load = Array(repeating: .zero, count: problem.hosts.count)
        members = Array(repeating: [], count: problem.hosts.count)
        groupsOn = Array(repeating: [], count: problem.hosts.count)
        hostOfItem = Array(repeating: nil, count: problem.workloads.count)
    }

    var usedHosts: [Int] { members.indices.filter { !members[$0].isEmpty } }
    var usedCount: Int { members.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }

    func canPlace(_ item: Int, on host: Int) -> Bool {
        if let group = groups[item], groupsOn[host].contains(group) { return false }
        return (load[host] + demands[item]).fits(within: limits[host])
    }

    mutating func place(_ item: Int, on host: Int) {
        load[host] = load[host] + demands[item]
        members[host].append(item)
        if let group = groups[item] { groupsOn[host].insert(group) }
        hostOfItem[item] = host
    }

    mutating func remove(_ item: Int) {
        guard let host = hostOfItem[item] else { return }
        load[host] = load[host] - demands[item]
        members[host].removeAll { $0 == item }
        if let group = groups[item] { groupsOn[host].remove(group) }
        hostOfItem[item] = nil
        if members[host].isEmpty { load[host] = .zero }
    }

    /// How tightly `item` would fill `host`: the summed share left free afterwards (smaller is tighter).
    func slackAfter(_ item: Int, on host: Int) -> Double {
        (limits[host] - (load[host] + demands[item])).totalShare(of: limits[host])
    }

    /// The plan this state describes.
    func plan(_ problem: PlacementProblem, method: Plan.Method) -> Plan {
        var hostOf: [String: String] = [:]
        var unplaced: [String] = []
        for (index, workload) in problem.workloads.enumerated() {
            if let host = hostOfItem[index] { hostOf[workload.id] = problem.hosts[host].id } else { unplaced.append(workload.id) }
        }
        return Plan(hostOf: hostOf, unplaced: unplaced, method: method, problem: problem)
    }
}
