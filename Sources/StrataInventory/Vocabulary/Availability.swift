/// Whether a resource is there and working, as the inventory stores it.
public enum Availability: String, Sendable, Codable, CaseIterable {
    /// Reporting and working (its agent reports, its `up` is 1, its VM runs).
    case up
    /// Known but not working (its agent is overdue, its `up` is 0, its VM is not running).
    case down
    /// Not yet known (a resource only named so far, a VM back after retirement).
    case unknown
    /// Gone for good (a VM no hypervisor lists any more), kept with its history.
    case retired
}

/// How a resource stands in the discovery queue.
public enum Approval: String, Sendable, Codable, CaseIterable {
    /// Part of the inventory.
    case approved
    /// Waiting for a decision.
    case pending
    /// Decided against: kept out of alerts and views.
    case ignored
}
