import StrataCore

/// One virtualization role a platform plays.
public struct VirtualizationRole: Hashable, Sendable, CustomStringConvertible {
    /// The role's kind.
    public enum Kind: String, Sendable, CaseIterable {
        /// Runs directly on hardware.
        case physical
        /// Runs inside a virtual machine.
        case guest
        /// Runs inside an OS-level container.
        case container
        /// Hosts virtual machines.
        case hypervisorHost = "hypervisor-host"
    }

    /// What the role is.
    public var kind: Kind
    /// The technology: `kvm`, `xen`, `vmware`, `hyperv`, `docker`, `lxc`, `podman`, …; nil for physical.
    public var technology: String?

    /// Creates a role.
    public init(_ kind: Kind, _ technology: String? = nil) {
        self.kind = kind
        self.technology = technology
    }

    public var description: String {
        technology.map { "\(kind.rawValue)(\($0))" } ?? kind.rawValue
    }
}

/// The virtualization roles of a platform with the evidence that decided each.
public struct VirtualizationReport: Sendable, Equatable {
    /// All roles that apply: a KVM guest inside Docker is both `guest(kvm)` and `container(docker)`.
    public var roles: [VirtualizationRole]
    /// Human-readable facts that decided the roles, in the order they were found.
    public var evidence: [String]

    /// Creates a report.
    public init(roles: [VirtualizationRole], evidence: [String]) {
        self.roles = roles
        self.evidence = evidence
    }

    /// Whether `kind` (and, if given, `technology`) is among the roles.
    public func has(_ kind: VirtualizationRole.Kind, _ technology: String? = nil) -> Bool {
        roles.contains { $0.kind == kind && (technology == nil || $0.technology == technology) }
    }

    /// The report as a property tree for the platform resource.
    public var property: PropertyValue {
        .map([
            ("roles", .list(roles.map { role in
                var entries: [(key: String, value: PropertyValue)] = [("role", .string(role.kind.rawValue))]
                if let technology = role.technology { entries.append(("technology", .string(technology))) }
                return .map(entries)
            })),
            ("evidence", .list(evidence.map { .string($0) })),
        ])
    }
}
