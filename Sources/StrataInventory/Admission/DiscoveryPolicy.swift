#if canImport(Glibc)
import Glibc
#endif
import StrataCore

/// How a tenant's new, changed and removed resources are admitted to the inventory.
public struct DiscoveryPolicy: Sendable, Equatable, Codable {
    /// How much waits for a person.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Everything is approved at once.
        case auto
        /// What an expected rule matches is approved; the rest waits.
        case rules
        /// Everything waits for a decision.
        case queue
    }

    /// The mode.
    public var mode: Mode
    /// Expected resources: a kind (optional) and a shell glob on the name, e.g. `vm` / `crm-*`.
    public var expected: [ExpectedRule]
    /// Last change, Unix ms.
    public var updatedMs: Int64

    /// One expected-resource rule.
    public struct ExpectedRule: Sendable, Equatable, Codable {
        /// Only resources of this kind, if given.
        public var kind: String?
        /// Shell glob on the resource's name.
        public var name: String

        /// Creates a rule.
        public init(kind: String?, name: String) {
            self.kind = kind
            self.name = name
        }

        /// Whether the rule expects a resource of `kind` named `name`.
        public func expects(kind: ResourceKind, name resourceName: String) -> Bool {
            (self.kind == nil || self.kind == kind.rawValue) && fnmatch(name, resourceName, 0) == 0
        }
    }

    /// The policy of a tenant that never set one: everything approved.
    public static let automatic = DiscoveryPolicy(mode: .auto, expected: [], updatedMs: 0)

    /// Creates a policy.
    public init(mode: Mode, expected: [ExpectedRule], updatedMs: Int64) {
        self.mode = mode
        self.expected = expected
        self.updatedMs = updatedMs
    }
}

/// A change to the inventory that the discovery policy admits or queues.
public enum DiscoveryChange: String, Sendable, Codable, CaseIterable {
    /// A resource seen for the first time.
    case new
    /// A resource's configuration changed.
    case changed
    /// A resource went away (a VM retired).
    case removed
    /// A second agent asks to report a platform that already has one.
    case enrollment
}

/// Where an entry of the discovery queue stands.
public enum DiscoveryStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for a decision.
    case pending
    /// Accepted.
    case approved
    /// Rejected: kept out of views and alerts.
    case ignored
    /// Put off: asked again on the next such change.
    case deferred

    /// The status a queue decision (`approve`, `ignore`, `defer`) leads to.
    public init?(decision: String) {
        switch decision {
        case "approve": self = .approved
        case "ignore": self = .ignored
        case "defer": self = .deferred
        default: return nil
        }
    }
}
