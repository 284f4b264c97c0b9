import StrataCore
import Testing
@testable import StrataInventory

/// The placement state machine, report by report, without a database: live migrations as libvirt shows
/// them, clones, split brain, standby definitions, offline moves and retired VMs coming back.
struct VMPlacementTests {
    static let names = ["hA": "test vm (test:///a)", "hB": "test vm (test:///b)", "hC": "kvm c (qemu+ssh://c/system)"]
    static let web = VMListing.fingerprint(name: "crm-web", macs: ["52:54:00:0A:00:01"])
    static let clone = VMListing.fingerprint(name: "crm-web-clone", macs: ["52:54:00:0b:00:99"])

    /// A VM first reported running on `home`.
    static func placed(on home: String, at nowMs: Int64 = 1000) -> VMPlacement {
        var vm = VMPlacement(vmID: "vm1", vmName: "crm-web", home: nil, open: [], availability: .up)
        _ = vm.observe([VMListing(hypervisorID: home, state: .running, fingerprint: web)], reached: [home], nowMs: nowMs, names: names)
        return vm
    }

    static func events(_ actions: [VMPlacement.Action], _ kind: EventKind) -> [InventoryEvent] {
        actions.compactMap { action in
            guard case .event(let event) = action, event.kind == kind else { return nil }
            return event
        }
    }

    static func listing(_ hypervisor: String, _ state: VMRunState, _ fingerprint: String = web) -> VMListing {
        VMListing(hypervisorID: hypervisor, state: state, fingerprint: fingerprint)
    }

    @Test func aNewVMBelongsToTheHypervisorThatListsItWithoutARelocation() {
        var vm = VMPlacement(vmID: "vm1", vmName: "crm-web", home: nil, open: [], availability: .up)
        let actions = vm.observe([Self.listing("hA", .running)], reached: ["hA"], nowMs: 1000, names: Self.names)
        #expect(vm.home == "hA" && vm.isDescribed(by: "hA"))
        #expect(actions.contains(.setHome("hA")))
        #expect(Self.events(actions, .relocated).isEmpty && Self.events(actions, .ambiguity).isEmpty)
    }

    @Test func aLiveMigrationAsOneAgentSeesItIsOneRelocationWithoutAmbiguityOrAvailabilityChange() {
        var vm = Self.placed(on: "hA")
        var all: [VMPlacement.Action] = []
        // The incoming domain waits paused on B while A still runs it, for several reports.
        for now in [2000, 3000, 4000] as [Int64] {
            all += vm.observe([Self.listing("hA", .running), Self.listing("hB", .paused)], reached: ["hA", "hB"], nowMs: now, names: Self.names)
            #expect(vm.home == "hA" && !vm.isDescribed(by: "hB"), "the source keeps it during the migration")
        }
        // Switch-over: B runs it, A has let it go.
        all += vm.observe([Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 5000, names: Self.names)
        #expect(vm.home == "hB" && vm.isDescribed(by: "hB"))
        let relocations = Self.events(all, .relocated)
        #expect(relocations.map(\.message) == ["vm crm-web relocated from test vm (test:///a) to test vm (test:///b)"])
        #expect(Self.events(all, .ambiguity).isEmpty, "a paused incoming domain beside a running source is not a clone")
        #expect(Self.events(all, .availability).isEmpty && vm.availability == .up, "the VM never went down")
        #expect(all.contains(.close(hypervisorID: "hA")))
    }

    @Test func aSwitchOverInLibvirtsOrderKeepsTheVMUpWhileBothCopiesArePaused() {
        var vm = Self.placed(on: "hA")
        var all: [VMPlacement.Action] = []
        all += vm.observe([Self.listing("hA", .running), Self.listing("hB", .paused)], reached: ["hA", "hB"], nowMs: 2000, names: Self.names)
        // libvirt pauses the source for the last memory copy while the destination still waits paused.
        for now in [3000, 4000] as [Int64] {
            all += vm.observe([Self.listing("hA", .paused), Self.listing("hB", .paused)], reached: ["hA", "hB"], nowMs: now, names: Self.names)
            #expect(vm.home == "hA" && vm.availability == .up, "the switch-over is no outage")
        }
        // Then it resumes the destination, and only then lets the source go.
        all += vm.observe([Self.listing("hA", .paused), Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 5000, names: Self.names)
        #expect(vm.home == "hB")
        all += vm.observe([Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 6000, names: Self.names)
        #expect(Self.events(all, .relocated).count == 1 && Self.events(all, .ambiguity).isEmpty)
        #expect(Self.events(all, .availability).isEmpty && vm.availability == .up, "\(Self.events(all, .availability).map(\.message))")
    }

    @Test func aVMPausedOnItsHomeWithoutAnIncomingCopyIsDown() {
        var vm = Self.placed(on: "hA")
        let standby = vm.observe([Self.listing("hA", .paused), Self.listing("hB", .inactive)], reached: ["hA", "hB"], nowMs: 2000, names: Self.names)
        #expect(Self.events(standby, .availability).count == 1 && vm.availability == .down, "a standby definition is no switch-over")
    }

    @Test func aLiveMigrationReportedByTwoAgentsAtDifferentTimesIsNotTakenForASplitBrain() {
        var vm = Self.placed(on: "hA")
        var all: [VMPlacement.Action] = []
        all += vm.observe([Self.listing("hB", .paused)], reached: ["hB"], nowMs: 2000, names: Self.names)
        all += vm.observe([Self.listing("hA", .running)], reached: ["hA"], nowMs: 2500, names: Self.names)
        // B's agent reports the switch-over before A's agent reports again: A's last word is a stale "running".
        all += vm.observe([Self.listing("hB", .running)], reached: ["hB"], nowMs: 3000, names: Self.names)
        #expect(vm.home == "hA", "not moved while the source may still run it")
        all += vm.observe([], reached: ["hA"], nowMs: 3500, names: Self.names)
        #expect(vm.home == "hB")
        #expect(Self.events(all, .relocated).count == 1)
        #expect(Self.events(all, .ambiguity).isEmpty)
        #expect(Self.events(all, .availability).isEmpty)
    }

    @Test func aSourceThatKeepsAnInactiveDefinitionStillHandsTheVMOver() {
        var vm = Self.placed(on: "hA")
        var all = vm.observe([Self.listing("hA", .running), Self.listing("hB", .paused)], reached: ["hA", "hB"], nowMs: 2000, names: Self.names)
        all += vm.observe([Self.listing("hA", .inactive), Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 3000, names: Self.names)
        #expect(vm.home == "hB" && Self.events(all, .relocated).count == 1)
        // Later the leftover definition goes: that is no second relocation.
        all += vm.observe([Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 4000, names: Self.names)
        #expect(Self.events(all, .relocated).count == 1 && Self.events(all, .ambiguity).isEmpty)
    }

    @Test func aCloneWithACopiedUUIDIsAnAmbiguityOnceAndItsRemovalIsNoRelocation() {
        var vm = Self.placed(on: "hA")
        var all: [VMPlacement.Action] = []
        for now in [2000, 3000, 4000] as [Int64] {
            all += vm.observe([Self.listing("hA", .running), Self.listing("hB", .running, Self.clone)], reached: ["hA", "hB"], nowMs: now, names: Self.names)
        }
        let ambiguity = Self.events(all, .ambiguity)
        #expect(ambiguity.count == 1, "reported once while nothing changes: \(ambiguity)")
        #expect(ambiguity.first?.message.contains("test vm (test:///b)") == true && ambiguity.first?.severity == .warning)
        #expect(vm.home == "hA" && !vm.isDescribed(by: "hB"), "the clone's name and MACs never become the VM's")
        // The original stops: the home still does not move to a different definition.
        all += vm.observe([Self.listing("hA", .inactive), Self.listing("hB", .running, Self.clone)], reached: ["hA", "hB"], nowMs: 5000, names: Self.names)
        #expect(vm.home == "hA")
        // The clone is removed.
        all += vm.observe([Self.listing("hA", .running)], reached: ["hA", "hB"], nowMs: 6000, names: Self.names)
        #expect(Self.events(all, .relocated).isEmpty, "the original never left its host")
        #expect(vm.home == "hA" && vm.open.map(\.hypervisorID) == ["hA"])
    }

    @Test func oneDefinitionRunningOnTwoHostsIsReportedOnceBothHaveConfirmedIt() {
        var vm = Self.placed(on: "hA")
        let first = vm.observe([Self.listing("hA", .running), Self.listing("hB", .running)], reached: ["hA", "hB"], nowMs: 2000, names: Self.names)
        let ambiguity = Self.events(first, .ambiguity)
        #expect(ambiguity.count == 1 && ambiguity[0].message.contains("runs on 2 hypervisors at once"), "\(ambiguity)")
        #expect(vm.home == "hA")
    }

    @Test func aStandbyDefinitionOnAnotherHostIsNeitherAMoveNorAnAmbiguity() {
        var vm = Self.placed(on: "hA")
        var all: [VMPlacement.Action] = []
        for now in [2000, 3000] as [Int64] {
            all += vm.observe([Self.listing("hA", .running), Self.listing("hB", .inactive)], reached: ["hA", "hB"], nowMs: now, names: Self.names)
        }
        #expect(all.allSatisfy { if case .event = $0 { return false } else { return true } }, "\(all)")
        #expect(vm.home == "hA")
    }

    @Test func aVMGoneAndThenListedElsewhereWasMovedOffline() {
        var vm = Self.placed(on: "hA")
        _ = vm.observe([], reached: ["hA"], nowMs: 2000, names: Self.names)
        #expect(vm.open.isEmpty && vm.home == "hA", "while gone it stays below its last hypervisor")
        let actions = vm.observe([Self.listing("hC", .running)], reached: ["hC"], nowMs: 9000, names: Self.names)
        #expect(Self.events(actions, .relocated).map(\.message) == ["vm crm-web relocated from test vm (test:///a) to kvm c (qemu+ssh://c/system)"])
    }

    @Test func aRetiredVMListedAgainIsBackWithItsAvailabilityFromItsNewReport() {
        var vm = VMPlacement(vmID: "vm1", vmName: "crm-web", home: "hA", open: [], availability: .retired)
        let actions = vm.observe([Self.listing("hA", .inactive)], reached: ["hA"], nowMs: 5000, names: Self.names)
        #expect(Self.events(actions, .discovered).map(\.message) == ["vm crm-web is back (it was retired)"])
        #expect(vm.availability == .down && Self.events(actions, .availability).count == 1)
    }

    @Test func theVMsAvailabilityFollowsItsHomeOnly() {
        var vm = Self.placed(on: "hA")
        // Another host's paused copy says nothing about the VM's availability.
        let paused = vm.observe([Self.listing("hB", .paused)], reached: ["hB"], nowMs: 2000, names: Self.names)
        #expect(Self.events(paused, .availability).isEmpty && vm.availability == .up)
        let down = vm.observe([Self.listing("hA", .inactive), Self.listing("hB", .paused)], reached: ["hA", "hB"], nowMs: 3000, names: Self.names)
        #expect(Self.events(down, .availability).map(\.message) == ["vm crm-web is down: it is not running (shut off, paused or crashed)"])
        #expect(vm.availability == .down && down.contains(.setAvailability(.down)))
    }
}
