import StrataCore

/// Where one VM's failover stands. `watching` (its host is unreachable; the grace period runs) → `requested` (fenced,
/// target chosen, the start command stored) → `started` | `failed`; `blocked` while fenced but no target qualifies (or
/// the VM does not). A host back before the start was requested calls the chain off (the decision is forgotten).
public enum FailoverState: String, Sendable, Codable, CaseIterable {
    case watching, blocked, requested, started, failed

    /// Whether the start was decided: from here on the VM is never started again by this chain.
    public var isDecided: Bool { self == .requested || self == .started || self == .failed }
}

/// One VM's failover chain as stored: persisted before its start command is queued, so a server restart or a second
/// evaluation never starts the VM twice. Every event of the chain names `id`.
public struct FailoverDecision: Sendable, Equatable, Codable {
    /// The chain's id (16 hex digits), in every event's message.
    public var id: String
    public var vmID: String
    /// The group whose settings apply.
    public var groupID: String
    /// The hypervisor the VM ran on when its host became unreachable.
    public var fromHypervisorID: String
    public var state: FailoverState
    /// When the policy first saw the host unreachable, Unix ms: the grace period counts from here.
    public var downSinceMs: Int64
    /// When the old host was found fenced.
    public var fencedMs: Int64?
    /// The hypervisor chosen to start it.
    public var targetID: String?
    /// The start command's id (derived from the chain's id, so a re-queue after a restart reuses it).
    public var commandID: String?
    /// Why it is blocked (an event is written when this changes), or how it ended.
    public var note: String?
    /// Whether the VM was reported running again on its old host after the start was decided.
    public var reappeared: Bool
    public var updatedMs: Int64

    /// A decision.
    public init(id: String, vmID: String, groupID: String, fromHypervisorID: String, state: FailoverState, downSinceMs: Int64,
                fencedMs: Int64? = nil, targetID: String? = nil, commandID: String? = nil, note: String? = nil, reappeared: Bool = false,
                updatedMs: Int64) {
        self.id = id
        self.vmID = vmID
        self.groupID = groupID
        self.fromHypervisorID = fromHypervisorID
        self.state = state
        self.downSinceMs = downSinceMs
        self.fencedMs = fencedMs
        self.targetID = targetID
        self.commandID = commandID
        self.note = note
        self.reappeared = reappeared
        self.updatedMs = updatedMs
    }

    /// The start command's id for chain `id`.
    public static func commandID(chain id: String) -> String { StableID(parts: ["failover-start", id]).description }
}
