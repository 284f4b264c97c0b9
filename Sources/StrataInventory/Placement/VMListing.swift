/// How a hypervisor runs a VM it lists.
public enum VMRunState: String, Sendable, Codable, Equatable {
    /// Running (or blocked on I/O): the VM is working here.
    case running
    /// Paused: by a user, or the incoming side of a live migration waiting for the switch-over.
    case paused
    /// Defined but not running (shut off, crashed, suspended to disk).
    case inactive

    /// The run state of a libvirt domain state name (`running`, `blocked`, `paused`, `shutoff`, …).
    public init(libvirtState: String) {
        switch libvirtState {
        case "running", "blocked": self = .running
        case "paused": self = .paused
        default: self = .inactive
        }
    }
}

/// One hypervisor listing one VM in one report.
public struct VMListing: Sendable, Equatable {
    /// The hypervisor that lists it.
    public var hypervisorID: String
    /// How it runs there.
    public var state: VMRunState
    /// The definition's name and MACs: one definition on two hosts (a live migration, a standby definition on
    /// shared storage) has one fingerprint; a clone with a copied UUID has another name or other MACs.
    public var fingerprint: String

    /// A listing.
    public init(hypervisorID: String, state: VMRunState, fingerprint: String) {
        self.hypervisorID = hypervisorID
        self.state = state
        self.fingerprint = fingerprint
    }

    /// The fingerprint of a definition named `name` with NICs `macs` (any order, any case).
    public static func fingerprint(name: String, macs: [String]) -> String {
        ([name] + macs.map { $0.lowercased() }.sorted()).joined(separator: " ")
    }
}

/// One open placement: a hypervisor that lists the VM, as of its latest report.
public struct OpenPlacement: Sendable, Equatable {
    /// The hypervisor.
    public var hypervisorID: String
    /// When it first listed the VM, Unix ms.
    public var fromMs: Int64
    /// How it ran the VM at its latest report.
    public var state: VMRunState
    /// The definition it listed (see `VMListing.fingerprint`).
    public var fingerprint: String
    /// Its latest report that listed the VM, Unix ms.
    public var seenMs: Int64
    /// Since when it has reported the VM running without a break; nil while not running.
    public var runningSinceMs: Int64?

    /// An open placement.
    public init(hypervisorID: String, fromMs: Int64, state: VMRunState, fingerprint: String, seenMs: Int64, runningSinceMs: Int64?) {
        self.hypervisorID = hypervisorID
        self.fromMs = fromMs
        self.state = state
        self.fingerprint = fingerprint
        self.seenMs = seenMs
        self.runningSinceMs = runningSinceMs
    }

    /// Whether both list the same definition; an unknown (empty) fingerprint matches any.
    public func sameDefinition(as other: OpenPlacement) -> Bool {
        fingerprint.isEmpty || other.fingerprint.isEmpty || fingerprint == other.fingerprint
    }
}
