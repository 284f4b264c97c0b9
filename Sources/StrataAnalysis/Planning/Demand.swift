/// An amount of each resource a workload uses or a host offers: CPU in cores, memory in bytes, disk I/O in
/// operations a second, network in bytes a second. Values are finite and not negative (`PlacementProblem` checks).
public struct Demand: Sendable, Hashable, Codable {
    /// CPU cores.
    public var cpu: Double
    /// Memory in bytes.
    public var memory: Double
    /// Disk operations a second.
    public var diskIOPS: Double
    /// Network bytes a second.
    public var network: Double

    /// Creates an amount; omitted resources are 0.
    public init(cpu: Double = 0, memory: Double = 0, diskIOPS: Double = 0, network: Double = 0) {
        self.cpu = cpu
        self.memory = memory
        self.diskIOPS = diskIOPS
        self.network = network
    }

    /// Nothing of anything.
    public static let zero = Demand()

    /// The four values in a fixed order (cpu, memory, diskIOPS, network).
    public var values: [Double] { [cpu, memory, diskIOPS, network] }

    /// The names of `values`, in the same order.
    public static let names = ["cpu", "memory", "diskIOPS", "network"]

    /// The largest amount of each resource among `amounts`, resource by resource (zero for none).
    public static func largest(of amounts: [Demand]) -> Demand {
        Demand(cpu: amounts.map(\.cpu).max() ?? 0, memory: amounts.map(\.memory).max() ?? 0,
               diskIOPS: amounts.map(\.diskIOPS).max() ?? 0, network: amounts.map(\.network).max() ?? 0)
    }

    /// Whether every value is finite and not negative.
    public var isValid: Bool { values.allSatisfy { $0.isFinite && $0 >= 0 } }

    /// The sum, resource by resource.
    public static func + (left: Demand, right: Demand) -> Demand {
        Demand(cpu: left.cpu + right.cpu, memory: left.memory + right.memory,
               diskIOPS: left.diskIOPS + right.diskIOPS, network: left.network + right.network)
    }

    /// The difference, resource by resource.
    public static func - (left: Demand, right: Demand) -> Demand {
        Demand(cpu: left.cpu - right.cpu, memory: left.memory - right.memory,
               diskIOPS: left.diskIOPS - right.diskIOPS, network: left.network - right.network)
    }

    /// Every value times `factor`.
    public static func * (left: Demand, factor: Double) -> Demand {
        Demand(cpu: left.cpu * factor, memory: left.memory * factor, diskIOPS: left.diskIOPS * factor, network: left.network * factor)
    }

    /// Whether this amount fits within `capacity` in every resource (a tiny relative tolerance absorbs rounding).
    public func fits(within capacity: Demand) -> Bool {
        zip(values, capacity.values).allSatisfy { used, offered in used <= offered + 1e-9 * max(1, abs(offered)) }
    }

    /// The largest share of `capacity` this amount takes in any resource (a resource `capacity` lacks and this
    /// needs counts as infinitely large; one neither has counts as 0).
    public func largestShare(of capacity: Demand) -> Double {
        zip(values, capacity.values).map { used, offered in
            offered > 0 ? used / offered : (used > 0 ? .infinity : 0)
        }.max() ?? 0
    }

    /// The sum of the shares of `capacity` this amount takes, resource by resource (for ordering and best fit).
    public func totalShare(of capacity: Demand) -> Double {
        zip(values, capacity.values).reduce(0) { total, pair in
            total + (pair.1 > 0 ? pair.0 / pair.1 : (pair.0 > 0 ? .infinity : 0))
        }
    }
}
