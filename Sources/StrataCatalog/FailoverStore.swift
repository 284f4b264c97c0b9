import StrataControl

/// VM failover (docs/control.md "VM failover"): settings per resource group, and one decision per VM. The catalog
/// stores what `StrataControl.FailoverPolicy` decided; it decides nothing itself.
public protocol FailoverStore: Sendable {
    /// A group's stored failover settings; nil when it has none (or is no group of the tenant).
    func failoverSettings(tenantID: String, groupID: String) async throws -> FailoverSettings?
    /// Stores a group's settings. False when there is no such group in the tenant.
    func setFailoverSettings(tenantID: String, groupID: String, settings: FailoverSettings, nowMs: Int64) async throws -> Bool
    /// Every group with failover enabled, of every tenant, with its members.
    func failoverGroups() async throws -> [FailoverGroup]
    /// The tenant's stored decisions, by VM id.
    func failoverDecisions(tenantID: String) async throws -> [String: FailoverDecision]
    /// For each of `vmIDs`, the hypervisors whose open placement says it runs (an unreachable hypervisor's last listing
    /// included).
    func runningPlacements(vmIDs: [String]) async throws -> [String: Set<String>]
    /// Applies an evaluation's steps in one transaction — decisions saved and forgotten, `failover` events on the VMs'
    /// timelines, fenced hosts' placements closed (kept `placementGraceMs` from retirement) — except the starts, which
    /// the caller queues afterwards. Returns the stored events.
    func applyFailover(tenantID: String, steps: [FailoverStep], placementGraceMs: Int64, nowMs: Int64) async throws -> [EventRecord]
}

/// A group with failover enabled.
public struct FailoverGroup: Sendable, Equatable {
    public var tenantID: String
    public var groupID: String
    public var settings: FailoverSettings
    /// Member resource ids.
    public var members: [String]

    /// A group.
    public init(tenantID: String, groupID: String, settings: FailoverSettings, members: [String]) {
        self.tenantID = tenantID
        self.groupID = groupID
        self.settings = settings
        self.members = members
    }
}
