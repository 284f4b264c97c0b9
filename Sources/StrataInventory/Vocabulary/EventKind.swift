import StrataCore

/// What an event on a resource's timeline says happened. An open set (agents name their own kinds, such
/// as `log`), with a constant for each kind the server itself records.
public struct EventKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The stored and served name, e.g. `relocated`.
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// A resource seen for the first time (or a retired VM seen again).
    public static let discovered: EventKind = "discovered"
    /// A resource's configuration properties changed.
    public static let changed: EventKind = "changed"
    /// A resource went up or down.
    public static let availability: EventKind = "availability"
    /// A VM now runs on another hypervisor.
    public static let relocated: EventKind = "relocated"
    /// Evidence that cannot be resolved without guessing (a UUID on two hosts, a MAC on two VMs).
    public static let ambiguity: EventKind = "ambiguity"
    /// A guest platform was matched to the VM it runs in.
    public static let matched: EventKind = "matched"
    /// A new dependency edge between servers.
    public static let relation: EventKind = "relation"
    /// A VM gone from every hypervisor, kept with its history.
    public static let retired: EventKind = "retired"
    /// A VM neither approved nor expected by the discovery policy.
    public static let unknownVM: EventKind = "unknown-vm"
    /// A decision in the discovery queue.
    public static let discovery: EventKind = "discovery"
    /// A log record an agent forwarded.
    public static let log: EventKind = "log"
    /// A tracked configuration file changed (with its diff).
    public static let configChange: EventKind = "config-change"
    /// An alert on the resource changed state (fired, was acknowledged, resolved, started or stopped flapping).
    public static let alert: EventKind = "alert"
    /// A control command on the resource was requested, started, ended or expired.
    public static let control: EventKind = "control"
    /// A step of a VM's failover chain (considered, fenced, target chosen, start requested, started or failed).
    public static let failover: EventKind = "failover"
}

/// An event the inventory decided on, before it is stored (the store gives it an id and a tenant).
public struct InventoryEvent: Sendable, Equatable {
    /// The resource it concerns.
    public var resourceID: String
    /// What happened.
    public var kind: EventKind
    /// How much it matters.
    public var severity: EventSeverity
    /// For people.
    public var message: String

    /// An event.
    public init(resourceID: String, kind: EventKind, severity: EventSeverity = .info, message: String) {
        self.resourceID = resourceID
        self.kind = kind
        self.severity = severity
        self.message = message
    }
}
