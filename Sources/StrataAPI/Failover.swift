extension API {
    /// A group's VM failover settings (`GET|PUT /api/v1/groups/{id}/failover`; docs/control.md "VM failover").
    public struct FailoverSettings: Codable, Sendable, Equatable {
        /// Whether the group's VMs are started on another of its hypervisors when theirs fails.
        public var enabled: Bool
        /// How long a hypervisor must stay unreachable first, such as `60s` (1s–24h).
        public var gracePeriod: String
        /// Path prefixes of shared storage: a VM qualifies when every disk source lies below one.
        public var sharedStorage: [String]
        /// Sets of VM ids never placed on one hypervisor.
        public var antiAffinity: [[String]]
        /// `hypervisor` (unreachable for the grace period, the VM running nowhere else) or `host` (also its host's agent silent).
        public var fencing: String

        enum CodingKeys: String, CodingKey { case enabled, gracePeriod, sharedStorage, antiAffinity, fencing }

        public init(enabled: Bool, gracePeriod: String, sharedStorage: [String], antiAffinity: [[String]], fencing: String) {
            self.enabled = enabled
            self.gracePeriod = gracePeriod
            self.sharedStorage = sharedStorage
            self.antiAffinity = antiAffinity
            self.fencing = fencing
        }
    }

    /// `PUT /api/v1/groups/{id}/failover`: fields left out keep their stored (or default) values.
    public struct FailoverSettingsRequest: Codable, Sendable, Equatable {
        public var enabled: Bool?
        public var gracePeriod: String?
        public var sharedStorage: [String]?
        public var antiAffinity: [[String]]?
        public var fencing: String?

        public init(enabled: Bool? = nil, gracePeriod: String? = nil, sharedStorage: [String]? = nil, antiAffinity: [[String]]? = nil, fencing: String? = nil) {
            self.enabled = enabled
            self.gracePeriod = gracePeriod
            self.sharedStorage = sharedStorage
            self.antiAffinity = antiAffinity
            self.fencing = fencing
        }
    }

    /// One VM's failover chain (`GET /api/v1/failover`): its events on the VM's timeline name `id`.
    public struct FailoverDecision: Codable, Sendable, Equatable {
        public var id: String
        public var vmId: String
        public var groupId: String
        public var fromHypervisorId: String
        /// `watching`, `blocked`, `requested`, `started` or `failed`.
        public var state: String
        public var downSinceMs: Int64
        public var fencedMs: Int64?
        public var targetId: String?
        public var commandId: String?
        public var note: String?
        /// The VM was seen running again on its old host after its start was decided.
        public var reappeared: Bool
        public var updatedMs: Int64

        enum CodingKeys: String, CodingKey {
            case id, vmId, groupId, fromHypervisorId, state, downSinceMs, fencedMs, targetId, commandId, note, reappeared, updatedMs
        }

        public init(id: String, vmId: String, groupId: String, fromHypervisorId: String, state: String, downSinceMs: Int64, fencedMs: Int64?,
                    targetId: String?, commandId: String?, note: String?, reappeared: Bool, updatedMs: Int64) {
            self.id = id
            self.vmId = vmId
            self.groupId = groupId
            self.fromHypervisorId = fromHypervisorId
            self.state = state
            self.downSinceMs = downSinceMs
            self.fencedMs = fencedMs
            self.targetId = targetId
            self.commandId = commandId
            self.note = note
            self.reappeared = reappeared
            self.updatedMs = updatedMs
        }
    }
}
