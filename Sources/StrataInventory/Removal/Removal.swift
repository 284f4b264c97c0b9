import StrataCore

/// Removing resources: by a user (history kept or purged) or by retirement of servers gone for too long. A
/// removed resource and everything below it disappear from lists; kept history stays reachable by id, and a
/// resource an agent reports again comes back.
public enum Removal {
    /// Whether a server `availability` since `sinceMs` is due for retirement at `nowMs` after `afterMs` (0: never).
    /// Only down or unknown servers retire; arithmetic never traps on extreme settings.
    public static func serverIsDue(availability: Availability, sinceMs: Int64, afterMs: Int64, nowMs: Int64) -> Bool {
        guard afterMs > 0, availability == .down || availability == .unknown else { return false }
        let (deadline, overflow) = sinceMs.addingReportingOverflow(afterMs)
        return !overflow && nowMs > deadline
    }

    /// The event of a server retired after `afterMs` down or unknown.
    public static func serverRetired(id: String, name: String, availability: Availability, afterMs: Int64) -> InventoryEvent {
        InventoryEvent(resourceID: id, kind: .retired,
                       message: "server \(name) is retired: \(availability.rawValue) for longer than \(DurationText.format(afterMs)) (retire_servers_after); kept with its history")
    }

    /// The event of a resource a user removed with `count` resources in all, history kept.
    public static func removed(id: String, kind: ResourceKind, name: String, by actor: String, count: Int) -> InventoryEvent {
        let below = count > 1 ? " and \(count - 1) below it" : ""
        return InventoryEvent(resourceID: id, kind: .retired, severity: .info,
                              message: "\(kind.rawValue) \(name)\(below) removed by \(actor); kept with its history")
    }
}
