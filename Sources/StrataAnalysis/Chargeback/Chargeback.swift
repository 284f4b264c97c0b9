/// Chargeback and showback over a period: per VM the allocated vCPU-hours, memory GB-hours and storage GB-days (from
/// its allocations clipped to the period), the network GB it moved (the increase of its byte counter) and the CPU
/// core-hours it actually used (each CPU sample holds until the next, at most twice the usual spacing: a gap is
/// not usage), priced by a `RateCard` and summed per tenant, group and application.
public enum Chargeback {
    /// Measured quantities.
    public struct Quantities: Sendable, Hashable, Codable {
        /// vCPUs × hours, GB × hours, GB × days, GB, cores × hours.
        public var vcpuHours = 0.0, memoryGBHours = 0.0, storageGBDays = 0.0, networkGB = 0.0, cpuCoreHoursUsed = 0.0

        /// Nothing.
        public init() {}

        /// The price of these quantities on `card`.
        public func cost(_ card: RateCard) -> Double {
            vcpuHours * card.vcpuHour + memoryGBHours * card.memoryGBHour + storageGBDays * card.storageGBDay
                + networkGB * card.networkGB + cpuCoreHoursUsed * card.cpuCoreHourUsed
        }

        static func + (a: Quantities, b: Quantities) -> Quantities {
            var sum = a
            sum.vcpuHours += b.vcpuHours
            sum.memoryGBHours += b.memoryGBHours
            sum.storageGBDays += b.storageGBDays
            sum.networkGB += b.networkGB
            sum.cpuCoreHoursUsed += b.cpuCoreHoursUsed
            return sum
        }
    }

    /// One line of the report: a VM, tenant, group or application with its quantities and cost.
    public struct Line: Sendable, Hashable, Codable {
        /// What the line sums: "vm", "tenant", "group" or "application".
        public var scope: String
        /// The key (a VM's id, a tenant's, group's or application's name) and a name to show.
        public var key: String, name: String
        /// The quantities and their cost.
        public var quantities: Quantities
        /// The cost on the report's rate card.
        public var cost: Double
    }

    /// The report.
    public struct Report: Sendable, Hashable, Codable {
        /// The period (ms, `to` exclusive) and the currency.
        public var from: Int64, to: Int64, currency: String
        /// Lines per VM, tenant, group and application, each sorted by cost (highest first).
        public var vms: [Line], tenants: [Line], groups: [Line], applications: [Line]
        /// Everything.
        public var total: Line
    }

    static let gigabyte = 1_073_741_824.0

    /// The report for `records` over `from ..< to`; throws `InsufficientData` for an empty period.
    public static func report(_ records: [UsageRecord], from: Int64, to: Int64, card: RateCard) throws(InsufficientData) -> Report {
        guard to > from else { throw InsufficientData("the period is empty: it must end after it starts") }
        var vms: [Line] = []
        var tenants: [String: Quantities] = [:], groups: [String: Quantities] = [:], applications: [String: Quantities] = [:]
        var total = Quantities()
        for record in records {
            let quantities = measure(record, from: from, to: to)
            vms.append(Line(scope: "vm", key: record.id, name: record.name, quantities: quantities, cost: quantities.cost(card)))
            tenants[record.tenant, default: Quantities()] = tenants[record.tenant, default: Quantities()] + quantities
            for group in Set(record.groups) { groups[group, default: Quantities()] = groups[group, default: Quantities()] + quantities }
            if let application = record.application {
                applications[application, default: Quantities()] = applications[application, default: Quantities()] + quantities
            }
            total = total + quantities
        }
        func lines(_ scope: String, _ sums: [String: Quantities]) -> [Line] {
            sorted(sums.map { Line(scope: scope, key: $0.key, name: $0.key, quantities: $0.value, cost: $0.value.cost(card)) })
        }
        return Report(from: from, to: to, currency: card.currency, vms: sorted(vms), tenants: lines("tenant", tenants),
                      groups: lines("group", groups), applications: lines("application", applications),
                      total: Line(scope: "total", key: "total", name: "total", quantities: total, cost: total.cost(card)))
    }

    static func sorted(_ lines: [Line]) -> [Line] {
        lines.sorted { $0.cost != $1.cost ? $0.cost > $1.cost : $0.key < $1.key }
    }

    /// One record's quantities over `from ..< to`.
    static func measure(_ record: UsageRecord, from: Int64, to: Int64) -> Quantities {
        var quantities = Quantities()
        for allocation in record.allocations {
            let start = max(allocation.from, from), end = min(allocation.to, to)
            guard end > start else { continue }
            let hours = TimePoint.span(from: start, to: end) / 3_600_000
            quantities.vcpuHours += allocation.vcpus * hours
            quantities.memoryGBHours += allocation.memoryBytes / gigabyte * hours
            quantities.storageGBDays += allocation.storageBytes / gigabyte * hours / 24
        }
        quantities.cpuCoreHoursUsed = integrate(record.cpuUsedCores, from: from, to: to) / 3_600_000
        quantities.networkGB = record.networkBytes.reduce(0) { $0 + increase($1, from: from, to: to) } / gigabyte
        return quantities
    }

    /// ∫ value dt (value × ms) over `from ..< to`: each sample holds until the next, at most twice the median spacing.
    static func integrate(_ points: [TimePoint], from: Int64, to: Int64) -> Double {
        let clean = points.filter { $0.v.isFinite }
        guard !clean.isEmpty else { return 0 }
        let hold = 2 * Double(CapacityForecast.medianSpacing(clean.map(\.t)))
        var sum = 0.0
        for (index, point) in clean.enumerated() {
            let next = index + 1 < clean.count ? TimePoint.span(from: point.t, to: clean[index + 1].t) : hold / 2
            let start = max(Double(point.t), Double(from))
            let end = min(Double(point.t) + min(next, hold), Double(to))
            if end > start { sum += point.v * (end - start) }
        }
        return sum
    }

    /// How much a cumulative counter rose within `from ... to` (resets undone; read by interpolation, clamped to the
    /// counter's own span).
    static func increase(_ points: [TimePoint], from: Int64, to: Int64) -> Double {
        let counter = LeakAttribution.monotonic(points)
        guard let first = counter.first, let last = counter.last, to > first.t, from < last.t else { return 0 }
        let start = LeakAttribution.interpolate(counter, at: max(from, first.t)) ?? 0
        let end = LeakAttribution.interpolate(counter, at: min(to, last.t)) ?? 0
        return max(0, end - start)
    }
}
