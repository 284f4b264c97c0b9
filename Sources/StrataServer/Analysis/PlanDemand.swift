import StrataAnalysis

/// A resource's usage as the planner reads it, from the series the import's CSV converter and the agents write:
/// CPU cores (`cpu_used_cores`, else the rate of `libvirt_domain_cpu_seconds_total`), memory bytes
/// (`memory_used_bytes`, else `libvirt_domain_memory_bytes`), disk IOPS (`disk_iops`) and network bytes/s
/// (`network_bytes_per_second`), step by step; the demand is a percentile of each.
enum PlanDemand {
    static let metricNames = "cpu_used_cores|libvirt_domain_cpu_seconds_total|memory_used_bytes|libvirt_domain_memory_bytes|disk_iops|network_bytes_per_second"

    /// The usage at each step where CPU or memory is known (missing amounts are 0).
    static func usage(_ series: [(metric: String, points: [TimePoint])]) -> [Demand] {
        func find(_ names: [String]) -> [TimePoint]? {
            for name in names {
                if let found = series.first(where: { $0.metric == name }) {
                    return name.hasSuffix("_total") ? SignalRoles.rate(found.points) : found.points
                }
            }
            return nil
        }
        let cpu = find(["cpu_used_cores", "libvirt_domain_cpu_seconds_total"]) ?? []
        let memory = find(["memory_used_bytes", "libvirt_domain_memory_bytes"]) ?? []
        let disk = find(["disk_iops"]) ?? [], network = find(["network_bytes_per_second"]) ?? []
        let times = Set(cpu.map(\.t)).union(memory.map(\.t)).sorted()
        func at(_ points: [TimePoint]) -> [Int64: Double] { Dictionary(points.map { ($0.t, $0.v) }) { a, _ in a } }
        let (c, m, d, n) = (at(cpu), at(memory), at(disk), at(network))
        return times.map { t in
            Demand(cpu: max(0, c[t] ?? 0), memory: max(0, m[t] ?? 0), diskIOPS: max(0, d[t] ?? 0), network: max(0, n[t] ?? 0))
        }
    }

    /// Each amount's `percentile` (1–100) over the steps, by nearest rank.
    static func percentile(_ usage: [Demand], _ percentile: Double) -> Demand {
        func rank(_ values: [Double]) -> Double {
            let sorted = values.filter(\.isFinite).sorted()
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, max(0, Int((percentile / 100 * Double(sorted.count)).rounded(.up)) - 1))
            return sorted[index]
        }
        return Demand(cpu: rank(usage.map(\.cpu)), memory: rank(usage.map(\.memory)), diskIOPS: rank(usage.map(\.diskIOPS)),
                      network: rank(usage.map(\.network)))
    }
}
