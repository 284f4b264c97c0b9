import StrataCore

/// Availability from liveness: a platform follows its agent's heartbeat (down after missed intervals, up
/// when it reports again); every other resource follows its own `up` reading (a VM follows its home
/// hypervisor's report instead: see `VMPlacement`).
public enum Liveness {
    /// Whether an agent last seen at `lastSeenMs`, reporting every `intervalMs`, is overdue at `nowMs` after
    /// `missedIntervals` intervals. Nobody is overdue before `notBeforeMs` plus the intervals (the server's
    /// start: its own outage is not the agents' fault), and an agent that never reported has no interval.
    public static func isOverdue(lastSeenMs: Int64, intervalMs: Int64, missedIntervals: Int64, notBeforeMs: Int64, nowMs: Int64) -> Bool {
        guard intervalMs > 0 else { return false }
        let (wait, overflow) = missedIntervals.multipliedReportingOverflow(by: intervalMs)
        guard !overflow else { return false }
        let (deadline, late) = max(lastSeenMs, notBeforeMs).addingReportingOverflow(wait)
        return !late && nowMs > deadline
    }

    /// The event of a platform whose agent missed its intervals.
    public static func agentOverdue(platformID: String, name: String, missedIntervals: Int64, intervalMs: Int64) -> InventoryEvent {
        InventoryEvent(resourceID: platformID, kind: .availability, severity: .warning,
                       message: "platform \(name) is down: its agent missed \(missedIntervals) intervals of \(intervalMs) ms")
    }

    /// The event of a platform whose agent reports again.
    public static func agentBack(platformID: String, name: String) -> InventoryEvent {
        InventoryEvent(resourceID: platformID, kind: .availability, message: "platform \(name) is up: its agent reports again")
    }

    /// The availability `up` asks for and its event, or nil when `current` already says so (or the resource is
    /// retired: only a hypervisor listing it again brings a VM back).
    public static func reading(resourceID: String, kind: ResourceKind, name: String, current: Availability,
                               up: Bool) -> (Availability, InventoryEvent)? {
        let wanted: Availability = up ? .up : .down
        guard current != wanted, current != .retired else { return nil }
        let event = InventoryEvent(resourceID: resourceID, kind: .availability, severity: up ? .info : .warning,
                                   message: "\(kind.rawValue) \(name) is \(wanted.rawValue): \(reason(kind, up: up))")
        return (wanted, event)
    }

    /// The availability a Prometheus scrape's `up` asks for a server or a remote-written source (`job` names the
    /// scrape job for the event, e.g. " (job node)"), or nil when `current` already says so.
    public static func scraped(resourceID: String, kind: ResourceKind, name: String, current: Availability, up: Bool,
                               job: String) -> (Availability, InventoryEvent)? {
        let wanted: Availability = up ? .up : .down
        guard current != wanted, current != .retired else { return nil }
        let reason = up ? "Prometheus scrapes it\(job)" : "Prometheus cannot scrape it\(job)"
        let event = InventoryEvent(resourceID: resourceID, kind: .availability, severity: up ? .info : .warning,
                                   message: "\(kind.rawValue) \(name) is \(wanted.rawValue): \(reason)")
        return (wanted, event)
    }

    /// What a remote-written source whose `up` went stale (Prometheus stopped scraping it, or stopped writing)
    /// shows: unknown; nil when it already does.
    public static func scrapeStale(resourceID: String, name: String, current: Availability, job: String) -> (Availability, InventoryEvent)? {
        guard current != .unknown, current != .retired else { return nil }
        let event = InventoryEvent(resourceID: resourceID, kind: .availability, severity: .warning,
                                   message: "source \(name) is unknown: its up series\(job) is stale")
        return (.unknown, event)
    }

    /// The availability a reported resource's evidence asks for, and its event, or nil when `current` already says
    /// so: its own `up` reading; else, for a resource below a server (a service), its server's reading in the same
    /// report — a service of a stopped server is down, never up; else, being reported at all, up.
    public static func reported(resourceID: String, kind: ResourceKind, name: String, current: Availability, up: Bool?,
                                parent: (name: String, up: Bool)?) -> (Availability, InventoryEvent)? {
        if let up { return reading(resourceID: resourceID, kind: kind, name: name, current: current, up: up) }
        let wanted: Availability = parent.map { $0.up ? .up : .down } ?? .up
        guard current != wanted, current != .retired else { return nil }
        let reason = parent.map { "its server \($0.name) is \($0.up ? "up" : "down")" } ?? "its agent reports it again"
        let event = InventoryEvent(resourceID: resourceID, kind: .availability, severity: wanted == .up ? .info : .warning,
                                   message: "\(kind.rawValue) \(name) is \(wanted.rawValue): \(reason)")
        return (wanted, event)
    }

    /// What a resource below a platform whose agent fell silent shows: unknown (nobody can tell whether it still
    /// runs), never its last `up`; nil when it is already unknown or retired. VMs are left alone: their hypervisor
    /// or a guest agent says what they do.
    public static func silenced(resourceID: String, kind: ResourceKind, name: String, current: Availability,
                                platformName: String) -> (Availability, InventoryEvent)? {
        guard kind != .vm, kind != .platform, current != .unknown, current != .retired else { return nil }
        let event = InventoryEvent(resourceID: resourceID, kind: .availability, severity: .warning,
                                   message: "\(kind.rawValue) \(name) is unknown: the agent of its platform \(platformName) is silent")
        return (.unknown, event)
    }

    /// Why a resource's `up` says what it says.
    public static func reason(_ kind: ResourceKind, up: Bool) -> String {
        switch kind {
        case .vm: return up ? "it is running" : "it is not running (shut off, paused or crashed)"
        case .hypervisor: return up ? "its hypervisor connection answers" : "its hypervisor connection fails"
        default: return up ? "its status interface answers" : "its process is gone or its status interface fails"
        }
    }

    /// The event of a VM no hypervisor has listed for its grace period.
    public static func retired(vmID: String, name: String) -> InventoryEvent {
        InventoryEvent(resourceID: vmID, kind: .retired, message: "vm \(name) is gone from every hypervisor: retired, kept with its history")
    }
}
