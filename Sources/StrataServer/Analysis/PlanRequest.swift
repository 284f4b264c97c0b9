import StrataAnalysis

/// The body of `POST /api/v1/analysis/plan`: which resources to place (their demand measured from history), onto
/// which hosts, with which options and what-if changes.
struct PlanRequest: Decodable {
    /// A host to plan with: its capacity, `count` of them (named ID, ID+1, …).
    struct Host: Decodable {
        var id: String
        var cpu: Double
        var memoryBytes: Double
        var diskIOPS: Double?
        var network: Double?
        var count: Int?
    }

    /// One what-if change; exactly one field set.
    struct Change: Decodable {
        var removeHost: String?
        var addLike: String?
        var addHostLike: String?
        var count: Int?
        var grow: [String]?
        var factor: Double?
    }

    /// Kind of resource placed: `vm` (consolidation) or `platform` (P2V of physical machines); default vm.
    var kind: String?
    /// Only these resource ids (default: every resource of the kind).
    var resources: [String]?
    /// The percentile of each resource's usage taken as its demand (default 95).
    var percentile: Double?
    /// History read (ms; default the last 14 days).
    var from: Int64?
    var to: Int64?
    /// Hosts to plan with (default: the tenant's hypervisor hosts, from their properties).
    var hosts: [Host]?
    var headroom: Double?
    var memoryOvercommit: Double?
    /// Anti-affinity groups: name → resource ids that must not share a host.
    var antiAffinity: [String: [String]]?
    var whatIf: [Change]?

    static let fields: Set<String> = ["kind", "resources", "percentile", "from", "to", "hosts", "headroom", "memoryOvercommit", "antiAffinity", "whatIf"]
    static let nested: [String: Set<String>] = [
        "hosts": ["id", "cpu", "memoryBytes", "diskIOPS", "network", "count"],
        "whatIf": ["removeHost", "addLike", "addHostLike", "count", "grow", "factor"],
    ]
    static let example = #"{"kind": "platform", "hosts": [{"id": "r740", "cpu": 48, "memoryBytes": 412316860416, "count": 10}], "headroom": 0.2, "whatIf": [{"removeHost": "r740"}]}"#

    /// The what-if changes, each checked to set exactly one thing.
    func changes() throws(PlanningError) -> [WhatIfChange] {
        try (whatIf ?? []).enumerated().map { (index, change) throws(PlanningError) -> WhatIfChange in
            let set = [change.removeHost != nil, change.addLike != nil, change.addHostLike != nil, change.grow != nil].filter { $0 }.count
            guard set == 1 else {
                throw .invalidOption("whatIf[\(index)]: set exactly one of removeHost, addLike (with count), addHostLike (with count), grow (with factor)")
            }
            if let host = change.removeHost { return .removeHost(host) }
            if let workload = change.addLike { return .addLike(workload: workload, count: change.count ?? 1) }
            if let host = change.addHostLike { return .addHostLike(host: host, count: change.count ?? 1) }
            guard let factor = change.factor else { throw .invalidOption("whatIf[\(index)]: grow needs a factor (1.3 for 30 % more)") }
            return .grow(workloads: change.grow ?? [], factor: factor)
        }
    }
}
