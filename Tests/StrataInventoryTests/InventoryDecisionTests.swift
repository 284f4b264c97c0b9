import StrataCore
import Testing
@testable import StrataInventory

/// Guest matching, dependency edges, property changes, admission and liveness as pure decisions.
struct InventoryDecisionTests {
    static let guest = GuestMatcher.Guest(platformID: "p1", name: "guest-web", parentID: nil,
                                          smbiosUUID: "AAAAAAAA-0000-4000-8000-000000000001", macs: ["52:54:00:0A:00:01", "00:00:00:00:00:00"])

    @Test func aGuestIsMatchedBySMBIOSUUIDBeforeMACsAndNotAgainOnceMatched() {
        #expect(GuestMatcher.decide(Self.guest, vmWithUUID: "vm1", macsByVM: ["vm2": ["52:54:00:0a:00:01"]])
            == .runsIn(vmID: "vm1", evidence: "SMBIOS UUID aaaaaaaa-0000-4000-8000-000000000001 (confidence high)"))
        var matched = Self.guest
        matched.parentID = "vm1"
        #expect(GuestMatcher.decide(matched, vmWithUUID: "vm1", macsByVM: [:]) == .unchanged)
        #expect(Self.guest.usableMACs == ["52:54:00:0a:00:01"], "the all-zero MAC identifies nothing")
    }

    @Test func aGuestWithoutSMBIOSIsMatchedByAMACOnOneVMAndAMACOnTwoIsAnAmbiguity() {
        var guest = Self.guest
        guest.smbiosUUID = nil
        #expect(GuestMatcher.decide(guest, vmWithUUID: nil, macsByVM: ["vm2": ["52:54:00:0a:00:01"]])
            == .runsIn(vmID: "vm2", evidence: "MAC 52:54:00:0a:00:01 (confidence medium)"))
        guard case .ambiguous(let event) = GuestMatcher.decide(guest, vmWithUUID: nil, macsByVM: ["vm2": ["52:54:00:0a:00:01"], "vm3": ["52:54:00:0a:00:01"]]) else {
            Issue.record("two VMs with the MAC must be an ambiguity")
            return
        }
        #expect(event.kind == .ambiguity && event.message.contains("2 VMs"))
        #expect(GuestMatcher.decide(guest, vmWithUUID: nil, macsByVM: [:]) == .unchanged)
    }

    @Test func connectionsResolveToOneServerOnOnePlatformOrToNothing() {
        let endpoints = DependencyResolver.endpoints(["127.0.0.1:3306", "[::1]:6379", "10.0.0.5:5432", "nonsense", "host:99999", "10.0.0.6:x"])
        #expect(endpoints.map(\.text) == ["127.0.0.1:3306", "[::1]:6379", "10.0.0.5:5432"])
        #expect(endpoints.map(\.isLoopback) == [true, true, false])
        #expect(endpoints[1].address == "::1")
        let db = DependencyResolver.Target(id: "s2", name: "mysql :3306")
        #expect(DependencyResolver.target(sourceID: "s1", platformsWithAddress: 1, servers: [db]) == db)
        #expect(DependencyResolver.target(sourceID: "s1", platformsWithAddress: 2, servers: [db]) == nil, "an address two platforms claim")
        #expect(DependencyResolver.target(sourceID: "s1", platformsWithAddress: 1, servers: [db, .init(id: "s3", name: "other")]) == nil)
        #expect(DependencyResolver.target(sourceID: "s2", platformsWithAddress: 1, servers: [db]) == nil, "a server does not depend on itself")
    }

    @Test func propertyChangesNameWhatChangedAndIgnoreVolatileProperties() throws {
        let old = try PropertyValue(json: #"{"type":"redis","version":"7.0.11","ports":[6379],"connections":[],"tls":false,"maxmemory":1.5}"#)
        let new = try PropertyValue(json: #"{"type":"redis","version":"7.0.15","ports":[6379,6380],"role":"master","tls":true,"maxmemory":1.5}"#)
        #expect(PropertyChanges.between(old, new) == ["ports", "role (none) → master", "tls false → true", "version 7.0.11 → 7.0.15"])
        #expect(PropertyChanges.between(old, old).isEmpty)
        let churn = try PropertyValue(json: #"{"type":"redis","version":"7.0.11","ports":[6379],"connections":["127.0.0.1:1"],"tls":false,"maxmemory":1.5}"#)
        #expect(PropertyChanges.between(old, churn).isEmpty, "connections come and go")
        #expect(PropertyChanges.event(resourceID: "r", kind: .server, name: "redis", changes: []) == nil)
    }

    @Test func admissionFollowsTheModeAndTheExpectedRules() {
        let rules = DiscoveryPolicy(mode: .rules, expected: [.init(kind: "vm", name: "crm-*")], updatedMs: 0)
        #expect(Admission.decide(.new, resourceID: "v", kind: .vm, name: "crm-db", policy: rules, alreadyQueued: false) == .admitted)
        let rogue = Admission.decide(.new, resourceID: "v", kind: .vm, name: "miner", policy: rules, alreadyQueued: false)
        #expect(rogue.queue && rogue.markPending && rogue.event?.kind == .unknownVM && rogue.event?.severity == .warning)
        let server = Admission.decide(.new, resourceID: "s", kind: .server, name: "crm-x", policy: rules, alreadyQueued: false)
        #expect(server.queue && server.event == nil, "a rule for VMs does not expect a server; only VMs raise the rogue warning")
        #expect(Admission.decide(.changed, resourceID: "s", kind: .server, name: "x", policy: .init(mode: .queue, expected: [], updatedMs: 0),
                                 alreadyQueued: false) == .init(queue: true, markPending: false, event: nil))
        #expect(Admission.decide(.new, resourceID: "v", kind: .vm, name: "miner", policy: rules, alreadyQueued: true) == .admitted,
                "not queued twice")
        #expect(Admission.decide(.new, resourceID: "v", kind: .vm, name: "miner", policy: .automatic, alreadyQueued: false) == .admitted)
    }

    @Test func anAgentIsOverdueAfterItsMissedIntervalsCountedFromTheServersStartAtTheEarliest() {
        #expect(!Liveness.isOverdue(lastSeenMs: 1000, intervalMs: 1000, missedIntervals: 3, notBeforeMs: 0, nowMs: 4000))
        #expect(Liveness.isOverdue(lastSeenMs: 1000, intervalMs: 1000, missedIntervals: 3, notBeforeMs: 0, nowMs: 4001))
        #expect(!Liveness.isOverdue(lastSeenMs: 1000, intervalMs: 1000, missedIntervals: 3, notBeforeMs: 10_000, nowMs: 12_000), "grace after a restart")
        #expect(!Liveness.isOverdue(lastSeenMs: 1000, intervalMs: 0, missedIntervals: 3, notBeforeMs: 0, nowMs: .max), "never reported")
        #expect(!Liveness.isOverdue(lastSeenMs: .max - 1, intervalMs: .max, missedIntervals: 3, notBeforeMs: 0, nowMs: .max), "no overflow trap")
        let (state, event) = try! #require(Liveness.reading(resourceID: "s", kind: .server, name: "nginx", current: .up, up: false))
        #expect(state == .down && event.severity == .warning && event.message == "server nginx is down: its process is gone or its status interface fails")
        #expect(Liveness.reading(resourceID: "s", kind: .server, name: "nginx", current: .down, up: false) == nil)
    }

    @Test func aServiceFollowsItsServerAndWhatASilentAgentReportedBecomesUnknown() {
        let down = Liveness.reported(resourceID: "s", kind: .service, name: "db3", current: .up, up: nil, parent: ("redis", false))
        #expect(down?.0 == .down && down?.1.message == "service db3 is down: its server redis is down")
        #expect(Liveness.reported(resourceID: "s", kind: .service, name: "db3", current: .down, up: nil, parent: ("redis", true))?.0 == .up)
        #expect(Liveness.reported(resourceID: "c", kind: .container, name: "web", current: .unknown, up: nil, parent: nil)?.0 == .up,
                "measured without an up reading: present")
        #expect(Liveness.reported(resourceID: "c", kind: .container, name: "web", current: .up, up: false, parent: nil)?.0 == .down,
                "its own reading wins")
        #expect(Liveness.silenced(resourceID: "s", kind: .server, name: "nginx", current: .up, platformName: "h1")?.0 == .unknown)
        #expect(Liveness.silenced(resourceID: "v", kind: .vm, name: "crm", current: .up, platformName: "h1") == nil, "a VM's hypervisor tells")
        #expect(Liveness.silenced(resourceID: "s", kind: .server, name: "nginx", current: .unknown, platformName: "h1") == nil)
    }
}
