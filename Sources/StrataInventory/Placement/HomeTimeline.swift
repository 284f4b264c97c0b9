/// One stretch of a VM's home history: the hypervisor it belonged to (its parent in the inventory) from `fromMs`
/// until `toMs` (nil: still). Recorded when the home changes (`VMPlacement.Action.setHome`); the history behind
/// `strata_placement_info` in PromQL.
public struct HomeSpan: Sendable, Equatable {
    /// The VM's resource id.
    public var vmID: String
    /// The hypervisor it belonged to.
    public var hypervisorID: String
    /// Since when, Unix ms.
    public var fromMs: Int64
    /// Until when (exclusive), Unix ms; nil while it still holds.
    public var toMs: Int64?

    /// A span.
    public init(vmID: String, hypervisorID: String, fromMs: Int64, toMs: Int64?) {
        self.vmID = vmID
        self.hypervisorID = hypervisorID
        self.fromMs = fromMs
        self.toMs = toMs
    }
}

/// A VM's home history rebuilt from its placements, for catalogs written before homes were recorded: the
/// listings say who listed the VM when, not who it belonged to, so the rule is an approximation — while several
/// listings overlap, the one that started first holds the home until it ends (the source of a live migration
/// keeps it until it lets the VM go); a listing still open on a hypervisor that is not the current home (a standby
/// definition, a clone) never holds it.
public enum HomeTimeline {
    /// One placement as stored: a hypervisor listing the VM from `fromMs` until `toMs` (nil: still).
    public struct Listing: Sendable, Equatable {
        public var hypervisorID: String
        public var fromMs: Int64
        public var toMs: Int64?

        /// A listing.
        public init(hypervisorID: String, fromMs: Int64, toMs: Int64?) {
            self.hypervisorID = hypervisorID
            self.fromMs = fromMs
            self.toMs = toMs
        }
    }

    /// The home spans of VM `vmID` from its `listings` (any order) and its current home: non-overlapping, oldest
    /// first, adjacent spans of one hypervisor merged; the last is open when the current home's listing is.
    public static func rebuild(vmID: String, listings: [Listing], currentHome: String?) -> [HomeSpan] {
        let usable = listings.filter { $0.toMs != nil || $0.hypervisorID == currentHome }
            .sorted { ($0.fromMs, $0.toMs ?? .max) < ($1.fromMs, $1.toMs ?? .max) }
        var spans: [HomeSpan] = []
        for listing in usable {
            var from = listing.fromMs
            if let last = spans.last {
                guard let lastEnd = last.toMs else { break }  // an open span holds the home from then on
                from = max(from, lastEnd)
            }
            if let to = listing.toMs, to <= from { continue }
            if let last = spans.last, last.hypervisorID == listing.hypervisorID, last.toMs == from {
                spans[spans.count - 1].toMs = listing.toMs
            } else {
                spans.append(HomeSpan(vmID: vmID, hypervisorID: listing.hypervisorID, fromMs: from, toMs: listing.toMs))
            }
        }
        return spans
    }
}
