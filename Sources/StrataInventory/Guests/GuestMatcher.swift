/// Which VM a guest platform runs in, from the evidence both sides report: the platform's SMBIOS product
/// UUID equal to a VM's UUID (confidence high), else the platform's NIC MACs on exactly one VM (medium).
/// Evidence that points at several VMs is an ambiguity, never a guess.
public enum GuestMatcher {
    /// What a guest platform reports about itself.
    public struct Guest: Sendable, Equatable {
        /// Its resource id.
        public var platformID: String
        /// Its display name.
        public var name: String
        /// The VM it is matched to now, if any.
        public var parentID: String?
        /// Its SMBIOS product UUID, if it has one.
        public var smbiosUUID: String?
        /// Its NICs' MACs.
        public var macs: [String]

        /// A guest's evidence.
        public init(platformID: String, name: String, parentID: String?, smbiosUUID: String?, macs: [String]) {
            self.platformID = platformID
            self.name = name
            self.parentID = parentID
            self.smbiosUUID = smbiosUUID
            self.macs = macs
        }

        /// The MACs that can identify a VM, lower case (the all-zero MAC of a loopback or tunnel cannot).
        public var usableMACs: [String] {
            Array(Set(macs.map { $0.lowercased() }.filter { !$0.isEmpty && $0 != "00:00:00:00:00:00" })).sorted()
        }
    }

    /// The decision about one guest.
    public enum Decision: Sendable, Equatable {
        /// Nothing to change: no evidence, or it already runs in the VM the evidence shows.
        case unchanged
        /// It runs in `vmID`: record the `runs-in` relation with its evidence.
        case runsIn(vmID: String, evidence: String)
        /// The evidence points at several VMs.
        case ambiguous(InventoryEvent)
    }

    /// Decides for `guest` given the VM whose UUID is its SMBIOS UUID (if any) and, per VM (not retired),
    /// which of the guest's MACs it has.
    public static func decide(_ guest: Guest, vmWithUUID: String?, macsByVM: [String: Set<String>]) -> Decision {
        if let uuid = guest.smbiosUUID?.lowercased(), !uuid.isEmpty, let vm = vmWithUUID {
            return vm == guest.parentID ? .unchanged : .runsIn(vmID: vm, evidence: "SMBIOS UUID \(uuid) (confidence high)")
        }
        let candidates = macsByVM.filter { !$0.value.isEmpty }
        if candidates.count > 1 {
            let macs = Set(candidates.values.flatMap { $0 }).sorted().joined(separator: ", ")
            return .ambiguous(InventoryEvent(resourceID: guest.platformID, kind: .ambiguity, severity: .warning,
                                             message: "platform \(guest.name) cannot be matched to a VM: its MACs are on \(candidates.count) VMs (\(macs))"))
        }
        guard let (vm, macs) = candidates.first, vm != guest.parentID else { return .unchanged }
        return .runsIn(vmID: vm, evidence: "MAC \(macs.sorted().joined(separator: ", ")) (confidence medium)")
    }

    /// The event a new match is announced with.
    public static func matchedEvent(_ guest: Guest, vmName: String, evidence: String) -> InventoryEvent {
        InventoryEvent(resourceID: guest.platformID, kind: .matched, message: "platform \(guest.name) runs in vm \(vmName) (\(evidence))")
    }
}
