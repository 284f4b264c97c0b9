import StrataCore

/// Admits a change to the inventory under the tenant's discovery policy: approved at once, or queued for a
/// person. A VM left waiting (neither approved nor expected) is an `unknown-vm` warning: the rogue-VM case.
public enum Admission {
    /// What to do with one change.
    public struct Decision: Sendable, Equatable {
        /// Queue it for a decision (with this summary).
        public var queue: Bool
        /// Mark the resource itself as waiting for approval (only new resources).
        public var markPending: Bool
        /// The warning to record, if any.
        public var event: InventoryEvent?

        /// Approved at once: nothing to queue.
        public static let admitted = Decision(queue: false, markPending: false, event: nil)
    }

    /// The decision for `change` of the resource `resourceID` (`kind`, `name`), given whether an entry for the
    /// same resource and change is already waiting, deferred or ignored (it is not queued twice).
    public static func decide(_ change: DiscoveryChange, resourceID: String, kind: ResourceKind, name: String, policy: DiscoveryPolicy,
                              alreadyQueued: Bool) -> Decision {
        switch policy.mode {
        case .auto: return .admitted
        case .rules where policy.expected.contains(where: { $0.expects(kind: kind, name: name) }): return .admitted
        case .rules, .queue: break
        }
        guard !alreadyQueued else { return .admitted }
        guard change == .new else { return Decision(queue: true, markPending: false, event: nil) }
        let warning = kind == .vm ? InventoryEvent(
            resourceID: resourceID, kind: .unknownVM, severity: .warning,
            message: "unknown VM \(name): neither approved nor expected by a rule; approve, ignore or defer it in the discovery queue") : nil
        return Decision(queue: true, markPending: true, event: warning)
    }
}
