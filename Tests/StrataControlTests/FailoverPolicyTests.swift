import StrataCore
import Testing
@testable import StrataControl

/// The failover policy without I/O: a group of hypervisors A, B, C (8 GiB each) and restartable VMs on A, evaluated
/// at chosen times; the steps are applied to the decisions as the catalog would.
@Suite struct FailoverPolicyTests {
    static let gib: Int64 = 1 << 30

    struct Group {
        var settings = FailoverSettings(enabled: true, graceMs: 60_000, sharedStorage: ["/shared/"])
        var hosts: [FailoverHost] = ["a", "b", "c"].map { FailoverHost(id: $0, name: $0.uppercased(), reachable: true, memoryBytes: 8 * gib, cpus: 8) }
        var vms: [FailoverVM] = [Group.vm("v1")]
        var decisions: [String: FailoverDecision] = [:]
        var commands: [String: CommandState] = [:]

        static func vm(_ id: String, on home: String = "a", memory: Int64 = 2 * gib, disks: [String]? = ["/shared/img/disk.qcow2"]) -> FailoverVM {
            FailoverVM(id: id, name: id, uuid: "uuid-" + id, homeID: home, runningOn: [home], diskSources: disks,
                       definition: "<domain>\n  <uuid>uuid-\(id)</uuid>\n</domain>", memoryBytes: memory, vcpus: 2)
        }

        mutating func host(_ id: String, _ change: (inout FailoverHost) -> Void) {
            change(&hosts[hosts.firstIndex { $0.id == id }!])
        }

        /// A unreachable from 0 and evaluated then and at the end of the grace period: the start decided for v1.
        mutating func failA() -> FailoverStart {
            host("a") { $0.reachable = false }
            _ = evaluate(at: 0)
            return FailoverPolicyTests.starts(evaluate(at: 60_000))[0]
        }

        /// One evaluation at `nowMs`, its saves, forgets and closed placements applied.
        mutating func evaluate(at nowMs: Int64) -> [FailoverStep] {
            let view = FailoverView(groupID: "g", settings: settings, hosts: hosts, vms: vms, decisions: decisions, commands: commands)
            let steps = FailoverPolicy(view: view, nowMs: nowMs).evaluate()
            for step in steps {
                if case .save(let decision) = step { decisions[decision.vmID] = decision }
                if case .forget(let vm) = step { decisions[vm] = nil }
                if case .closePlacement(let vm, let hypervisor) = step, let index = vms.firstIndex(where: { $0.id == vm }) {
                    vms[index].runningOn.remove(hypervisor)
                }
            }
            return steps
        }
    }

    static func starts(_ steps: [FailoverStep]) -> [FailoverStart] {
        steps.compactMap { if case .start(let start) = $0 { start } else { nil } }
    }

    static func events(_ steps: [FailoverStep]) -> [String] {
        steps.compactMap { if case .event(let event) = $0 { event.message } else { nil } }
    }

    @Test func aVMIsStartedElsewhereOnlyAfterItsHostStayedUnreachableForTheGracePeriod() {
        var group = Group()
        #expect(group.evaluate(at: 0).isEmpty, "nothing happens while A is reachable")
        group.host("a") { $0.reachable = false }
        let considered = group.evaluate(at: 1_000)
        #expect(Self.events(considered).count == 1 && Self.events(considered)[0].contains("considered"))
        #expect(group.decisions["v1"]?.state == .watching && group.decisions["v1"]?.downSinceMs == 1_000)
        #expect(group.evaluate(at: 60_999).isEmpty, "the grace period has not ended")

        let decided = group.evaluate(at: 61_000)
        let start = Self.starts(decided)
        #expect(start.count == 1 && start.first?.uuid == "uuid-v1" && start.first?.targetID == "b")
        #expect(start.first?.definition == "<domain>   <uuid>uuid-v1</uuid> </domain>", "one line, as a command parameter")
        #expect(decided.contains(.closePlacement(vmID: "v1", hypervisorID: "a")))
        let messages = Self.events(decided)
        #expect(messages.count == 3 && messages[0].contains("fenced") && messages[1].contains("target chosen: B") && messages[2].contains("start requested"))
        let chain = group.decisions["v1"]!.id
        #expect(messages.allSatisfy { $0.hasPrefix("failover \(chain) of vm v1:") }, "one chain: \(messages)")
        // The decision is saved before the start in the same evaluation.
        let saveIndex = decided.firstIndex { if case .save(let d) = $0 { d.state == .requested } else { false } }
        let startIndex = decided.firstIndex { if case .start = $0 { true } else { false } }
        #expect(saveIndex != nil && startIndex != nil && saveIndex! < startIndex!)
    }

    @Test func aHostBackBeforeTheGracePeriodEndsCallsTheChainOff() {
        var group = Group()
        group.host("a") { $0.reachable = false }
        _ = group.evaluate(at: 0)
        group.host("a") { $0.reachable = true }
        let steps = group.evaluate(at: 30_000)
        #expect(steps.contains(.forget(vmID: "v1")) && Self.events(steps).first?.contains("called off") == true)
        #expect(group.decisions.isEmpty && Self.starts(group.evaluate(at: 90_000)).isEmpty)
    }

    @Test func theOldHostIsNotFencedWhileTheVMRunsElsewhereOrWhileItsAgentReportsUnderHostFencing() {
        var group = Group()
        group.host("a") { $0.reachable = false }
        group.vms[0].runningOn = ["a", "b"]
        _ = group.evaluate(at: 0)
        let moving = group.evaluate(at: 60_000)
        #expect(Self.starts(moving).isEmpty && group.decisions["v1"]?.state == .blocked)
        #expect(Self.events(moving).first?.contains("not fenced: the VM is listed running by B") == true)
        #expect(group.evaluate(at: 61_000).isEmpty, "the same reason is not told again")

        var strict = Group()
        strict.settings.fencing = .host
        strict.host("a") { $0.reachable = false }
        _ = strict.evaluate(at: 0)
        #expect(Self.starts(strict.evaluate(at: 60_000)).isEmpty && strict.decisions["v1"]?.note?.contains("agent of A's host still reports") == true)
        strict.host("a") { $0.hostSilent = true }
        let fenced = strict.evaluate(at: 61_000)
        #expect(Self.starts(fenced).count == 1 && Self.events(fenced).contains { $0.contains("fenced") && $0.contains("agent is silent") })
    }

    @Test func aVMWithALocalDiskOrNoKnownDefinitionIsNeverStartedElsewhere() {
        var group = Group()
        group.vms = [Group.vm("v1", disks: ["/shared/img/a.qcow2", "/var/lib/libvirt/images/local.img"]), Group.vm("v2", disks: nil),
                     Group.vm("v3", disks: ["/shared-not/x.img"])]
        group.vms.append(Group.vm("v4"))
        group.vms[3].definition = nil
        group.host("a") { $0.reachable = false }
        _ = group.evaluate(at: 0)
        let steps = group.evaluate(at: 60_000)
        #expect(Self.starts(steps).isEmpty)
        #expect(group.decisions.values.allSatisfy { $0.state == .blocked })
        #expect(group.decisions["v1"]?.note?.contains("/var/lib/libvirt/images/local.img") == true)
        #expect(group.decisions["v2"]?.note?.contains("never reported") == true)
        #expect(group.decisions["v3"]?.note?.contains("/shared-not/x.img") == true, "a prefix matches whole directories")
        #expect(group.decisions["v4"]?.note?.contains("definition") == true)
    }

    @Test func theTargetIsTheHostWithTheMostFreeMemoryThatFitsTheVM() {
        var group = Group()
        group.host("b") { $0.usedMemoryBytes = 7 * Self.gib }
        group.host("c") { $0.usedMemoryBytes = 4 * Self.gib }
        group.host("a") { $0.reachable = false }
        _ = group.evaluate(at: 0)
        #expect(Self.starts(group.evaluate(at: 60_000)).first?.targetID == "c", "B has 1 GiB free, the VM needs 2")

        var full = Group()
        full.vms = [Group.vm("big", memory: 9 * Self.gib)]
        full.host("a") { $0.reachable = false }
        _ = full.evaluate(at: 0)
        let steps = full.evaluate(at: 60_000)
        #expect(Self.starts(steps).isEmpty && full.decisions["big"]?.state == .blocked)
        #expect(full.decisions["big"]?.note?.contains("B has 8192 MiB free, the VM needs 9216 MiB") == true)
        full.host("c") { $0.memoryBytes = 16 * Self.gib }
        #expect(Self.starts(full.evaluate(at: 61_000)).first?.targetID == "c", "a blocked chain goes on once a host can take it")
    }

    @Test func vmsOfAnAntiAffinitySetAreNeverPlacedOnOneHypervisor() {
        var group = Group()
        group.vms = [Group.vm("v1"), Group.vm("v2"), Group.vm("v3", on: "b")]
        group.settings.antiAffinity = [["v1", "v2"], ["v2", "v3"]]
        group.host("b") { $0.vmIDs = ["v3"]; $0.usedMemoryBytes = 2 * Self.gib }
        group.host("a") { $0.reachable = false }
        _ = group.evaluate(at: 0)
        let starts = Self.starts(group.evaluate(at: 60_000))
        #expect(starts.map(\.vmID) == ["v1"], "v2 may go neither to v1's target nor to v3's host")
        #expect(starts.first?.targetID == "c", "v1 takes C, which has more free memory")
        #expect(group.decisions["v2"]?.state == .blocked && group.decisions["v2"]?.note?.contains("anti-affinity") == true)
    }

    @Test func aDecidedStartIsNeverRequestedTwiceAndIsQueuedAgainUnderItsOwnIDWhenItWasNeverStored() {
        var group = Group()
        let start = group.failA()
        // The server stopped after storing the decision, before queuing: the same command, once.
        let again = Self.starts(group.evaluate(at: 61_000))
        #expect(again == [start])
        group.commands[start.commandID] = .queued
        #expect(group.evaluate(at: 62_000).isEmpty, "queued: nothing more")
        group.commands[start.commandID] = .succeeded
        let started = group.evaluate(at: 63_000)
        #expect(Self.events(started) == ["failover \(start.chainID) of vm v1: started on B"])
        #expect(group.decisions["v1"]?.state == .started)
        for second in 64...200 { #expect(Self.starts(group.evaluate(at: Int64(second) * 1_000)).isEmpty) }
    }

    @Test func aFailedStartIsReportedAndNotRetried() {
        var group = Group()
        let start = group.failA()
        group.commands[start.commandID] = .expired
        let failed = group.evaluate(at: 61_000)
        #expect(group.decisions["v1"]?.state == .failed && Self.events(failed).first?.contains("expired: not retried") == true)
        #expect(group.evaluate(at: 500_000).isEmpty)
    }

    @Test func theVMRunningAgainOnItsOldHostIsReportedOnceAndNotStartedAgain() {
        var group = Group()
        let start = group.failA()
        group.commands[start.commandID] = .succeeded
        _ = group.evaluate(at: 61_000)
        // B reports it (its home moves), then A comes back still running it.
        group.vms[0].homeID = "b"
        group.vms[0].runningOn = ["b", "a"]
        group.host("a") { $0.reachable = true }
        let back = group.evaluate(at: 70_000)
        #expect(Self.events(back).count == 1 && Self.events(back)[0].contains("runs again on its old host A"), "\(back)")
        #expect(group.decisions["v1"]?.reappeared == true && Self.starts(back).isEmpty)
        #expect(group.evaluate(at: 71_000).isEmpty, "told once")
    }

    @Test func aLaterFailureOfTheNewHostStartsANewChain() {
        var group = Group()
        let first = group.failA()
        group.commands[first.commandID] = .succeeded
        _ = group.evaluate(at: 61_000)
        group.vms[0].homeID = "b"
        group.vms[0].runningOn = ["b"]
        group.host("b") { $0.reachable = false }
        _ = group.evaluate(at: 100_000)
        let second = Self.starts(group.evaluate(at: 160_000))
        #expect(second.count == 1 && second[0].targetID == "c" && second[0].chainID != first.chainID)
    }

    @Test func settingsAreCheckedWithMessagesAUserCanActOn() throws {
        #expect(try FailoverSettings(sharedStorage: ["/shared"]).validated().sharedStorage == ["/shared/"])
        #expect(throws: FailoverSettingsError.badPrefix("shared/")) { try FailoverSettings(sharedStorage: ["shared/"]).validated() }
        #expect(throws: FailoverSettingsError.badPrefix("/a/../b/")) { try FailoverSettings(sharedStorage: ["/a/../b/"]).validated() }
        #expect(throws: FailoverSettingsError.badGracePeriod(0)) { try FailoverSettings(graceMs: 0).validated() }
        #expect(throws: FailoverSettingsError.badAntiAffinitySet(["v1"])) { try FailoverSettings(antiAffinity: [["v1"]]).validated() }
        #expect(!FailoverSettings(sharedStorage: ["/shared/"]).isShared(["/shared/../etc/x"]))
    }
}
