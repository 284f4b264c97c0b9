/// What chargeback knows about one VM (or container, or physical machine) over time: who it belongs to, what was
/// allocated to it when, and its usage series.
public struct UsageRecord: Sendable, Hashable {
    /// What was allocated from `from` (inclusive) to `to` (exclusive), ms.
    public struct Allocation: Sendable, Hashable {
        /// The interval.
        public var from: Int64, to: Int64
        /// vCPUs, memory bytes and storage bytes allocated.
        public var vcpus: Double, memoryBytes: Double, storageBytes: Double

        /// Creates an allocation.
        public init(from: Int64, to: Int64, vcpus: Double, memoryBytes: Double, storageBytes: Double) {
            self.from = from
            self.to = to
            self.vcpus = vcpus
            self.memoryBytes = memoryBytes
            self.storageBytes = storageBytes
        }
    }

    /// The resource's id and name.
    public var id: String, name: String
    /// Its tenant, the groups it is in (it counts fully in each) and its application, when known.
    public var tenant: String, groups: [String], application: String?
    /// Allocations over time (intervals may not overlap; gaps mean nothing allocated: the VM did not exist).
    public var allocations: [Allocation]
    /// CPU used, in cores (a gauge), time order.
    public var cpuUsedCores: [TimePoint]
    /// Byte counters (sent, received, per interface; cumulative, resets undone), each in time order; their rises add up.
    public var networkBytes: [[TimePoint]]

    /// Creates a record.
    public init(id: String, name: String, tenant: String, groups: [String] = [], application: String? = nil,
                allocations: [Allocation], cpuUsedCores: [TimePoint] = [], networkBytes: [[TimePoint]] = []) {
        self.id = id
        self.name = name
        self.tenant = tenant
        self.groups = groups
        self.application = application
        self.allocations = allocations
        self.cpuUsedCores = cpuUsedCores
        self.networkBytes = networkBytes
    }
}
