/// Topology-aware suppression: when a resource is down, the alerts of everything beneath it (its servers when a
/// platform's agent falls silent, the guests of a dead hypervisor) are held beneath its alert instead of being
/// notified one by one — the operator gets the cause, not fifty symptoms.
public enum TopologySuppression {
    /// The nearest ancestor in `lineage` (the resource's ancestors, nearest first, without the resource itself) that
    /// has an open availability alert, or nil when none does: the alert is then held beneath that ancestor's alert.
    public static func holder(ancestors: [String], openAvailability: Set<String>) -> String? {
        ancestors.first(where: openAvailability.contains)
    }

    /// What becomes of an alert held beneath `holder` once the open availability alerts are `openAvailability`:
    /// still held by the same ancestor, held by another one nearer the root, or released (nil).
    public static func rehold(holder: String, ancestors: [String], openAvailability: Set<String>) -> String? {
        openAvailability.contains(holder) ? holder : Self.holder(ancestors: ancestors, openAvailability: openAvailability)
    }
}
