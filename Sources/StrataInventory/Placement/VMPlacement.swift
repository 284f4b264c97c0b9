import StrataCore

/// Where one VM runs, as a state machine over hypervisors' reports: which hypervisors list it (its open
/// placements), which one it belongs to (its home, the parent in the inventory), and whether it is up.
///
/// A VM can be listed by several hypervisors at once for good reasons and bad ones, and each is told apart:
/// - **a live migration**: the incoming side lists it *paused* while the source still runs it; the home stays
///   with the source until the source stops running it (lets it go, pauses or shuts it off for the
///   switch-over), then moves: exactly one `relocated` event, and the VM's availability never changes — not
///   even at the switch-over, when libvirt pauses the source for the last memory copy while the destination
///   still waits paused (see `isSwitchingOver`);
/// - **a standby definition** (shared storage, defined on both hosts): the same definition, inactive on one;
/// - **a clone with a copied UUID**: another name or other MACs. An `ambiguity` event; the home never moves
///   to the clone while the home still lists the VM, and the clone's name and MACs never become the VM's.
///   The clone going away is nothing more (it is not a relocation);
/// - **one definition running on two hosts at once** (split brain): an `ambiguity` event once both have
///   reported it running after the other started (reports arrive from different agents at different times,
///   so a source's last "running" before the switch-over is not taken for a second copy).
///
/// The VM's name, properties and availability follow its home's report only, so an incoming paused copy
/// does not flap it down and up.
public struct VMPlacement: Sendable, Equatable {
    /// The VM's resource id.
    public var vmID: String
    /// Its display name.
    public var vmName: String
    /// The hypervisor it belongs to; nil before its first report. Kept while no hypervisor lists it.
    public var home: String?
    /// The hypervisors listing it, oldest first.
    public var open: [OpenPlacement]
    /// Its availability as stored.
    public var availability: Availability
    /// The message of its latest `ambiguity` event (not repeated while nothing changes).
    public var lastAmbiguity: String?

    /// A VM's placement state as loaded.
    public init(vmID: String, vmName: String, home: String?, open: [OpenPlacement], availability: Availability, lastAmbiguity: String? = nil) {
        self.vmID = vmID
        self.vmName = vmName
        self.home = home
        self.open = open
        self.availability = availability
        self.lastAmbiguity = lastAmbiguity
    }

    /// What the store must do after a report.
    public enum Action: Sendable, Equatable {
        /// A hypervisor lists the VM for the first time since it last let it go.
        case open(OpenPlacement)
        /// A hypervisor's listing changed state, definition or time seen.
        case update(OpenPlacement)
        /// A hypervisor that was reached no longer lists the VM: its placement ends now.
        case close(hypervisorID: String)
        /// The VM now belongs to this hypervisor (its parent).
        case setHome(String)
        /// The VM's availability changed.
        case setAvailability(Availability)
        /// The store records this event.
        case event(InventoryEvent)
    }

    /// Applies one report at `nowMs`: `listings` are the hypervisors of the report that list the VM;
    /// `reached` are all hypervisors the report reached (listing it or not); `names` say how events call a
    /// hypervisor (its name and URI). Returns what the store must do, in order, and updates the state.
    /// `describedBy` afterwards says whether the VM's name and properties may be taken from a listing.
    public mutating func observe(_ listings: [VMListing], reached: Set<String>, nowMs: Int64, names: [String: String]) -> [Action] {
        var actions: [Action] = []
        for listing in listings {
            let running = listing.state == .running
            if let index = open.firstIndex(where: { $0.hypervisorID == listing.hypervisorID }) {
                var placement = open[index]
                placement.runningSinceMs = running ? (placement.runningSinceMs ?? nowMs) : nil
                placement.state = listing.state
                placement.fingerprint = listing.fingerprint
                placement.seenMs = nowMs
                open[index] = placement
                actions.append(.update(placement))
            } else {
                let placement = OpenPlacement(hypervisorID: listing.hypervisorID, fromMs: nowMs, state: listing.state,
                                              fingerprint: listing.fingerprint, seenMs: nowMs, runningSinceMs: running ? nowMs : nil)
                open.append(placement)
                actions.append(.open(placement))
            }
        }
        let listedBy = Set(listings.map(\.hypervisorID))
        for placement in open where reached.contains(placement.hypervisorID) && !listedBy.contains(placement.hypervisorID) {
            actions.append(.close(hypervisorID: placement.hypervisorID))
        }
        open.removeAll { reached.contains($0.hypervisorID) && !listedBy.contains($0.hypervisorID) }

        if availability == .retired, !listings.isEmpty {
            availability = .unknown
            actions.append(.setAvailability(.unknown))
            actions.append(.event(InventoryEvent(resourceID: vmID, kind: .discovered, message: "vm \(vmName) is back (it was retired)")))
        }
        let chosen = chooseHome()
        if let chosen, chosen != home {
            if let previous = home {
                actions.append(.event(InventoryEvent(resourceID: vmID, kind: .relocated,
                                                     message: "vm \(vmName) relocated from \(names[previous] ?? previous) to \(names[chosen] ?? chosen)")))
            }
            home = chosen
            actions.append(.setHome(chosen))
        }
        if let message = ambiguity(names: names), message != lastAmbiguity {
            lastAmbiguity = message
            actions.append(.event(InventoryEvent(resourceID: vmID, kind: .ambiguity, severity: .warning, message: message)))
        }
        if let home, listedBy.contains(home), let placement = open.first(where: { $0.hypervisorID == home }), !isSwitchingOver(placement),
           let (wanted, event) = Liveness.reading(resourceID: vmID, kind: .vm, name: vmName, current: availability, up: placement.state == .running) {
            availability = wanted
            actions.append(.setAvailability(wanted))
            actions.append(.event(event))
        }
        return actions
    }

    /// Whether the VM's name and properties may be taken from `hypervisorID`'s report: only from its home's.
    public func isDescribed(by hypervisorID: String) -> Bool { home == hypervisorID }

    /// Whether `home`'s copy is paused while another hypervisor holds the same definition paused: the switch-over
    /// of a live migration (libvirt pauses the source for the last memory copy, resumes the destination, and
    /// only then lets the source go). The VM's availability holds meanwhile; a VM paused with no paused copy
    /// elsewhere is down.
    func isSwitchingOver(_ home: OpenPlacement) -> Bool {
        home.state == .paused && open.contains { $0.hypervisorID != home.hypervisorID && $0.state == .paused && $0.sameDefinition(as: home) }
    }

    /// The hypervisor the VM belongs to now.
    func chooseHome() -> String? {
        guard !open.isEmpty else { return home }
        if let home, let current = open.first(where: { $0.hypervisorID == home }) {
            guard current.state != .running else { return home }
            // The source stopped running it and one other host runs the same definition: the switch-over is done.
            let elsewhere = open.filter { $0.hypervisorID != home && $0.sameDefinition(as: current) && $0.state == .running }
            return elsewhere.count == 1 ? elsewhere[0].hypervisorID : home
        }
        return (open.first { $0.state == .running } ?? open[0]).hypervisorID
    }

    /// The ambiguity the current listings show, if any.
    func ambiguity(names: [String: String]) -> String? {
        guard let home, let current = open.first(where: { $0.hypervisorID == home }), open.count > 1 else { return nil }
        let others = open.filter { !$0.sameDefinition(as: current) }
        if !others.isEmpty {
            let places = others.map { names[$0.hypervisorID] ?? $0.hypervisorID }.joined(separator: ", ")
            return "vm \(vmName)'s UUID is also listed under another name or other MACs by \(places): a cloned UUID? "
                + "Not treated as a move; the VM stays on \(names[home] ?? home)"
        }
        let running = open.filter { $0.state == .running }
        guard running.count > 1 else { return nil }
        let latestStart = running.compactMap(\.runningSinceMs).max() ?? 0
        let earliestSeen = running.map(\.seenMs).min() ?? 0
        guard earliestSeen >= latestStart else { return nil }
        let places = running.map { names[$0.hypervisorID] ?? $0.hypervisorID }.joined(separator: ", ")
        return "vm \(vmName) runs on \(running.count) hypervisors at once (\(places)): split brain or a cloned UUID? "
            + "Not treated as a move; the VM stays on \(names[home] ?? home)"
    }
}
