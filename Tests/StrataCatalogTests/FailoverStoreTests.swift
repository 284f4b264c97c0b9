import StrataControl
import StrataCore
import StrataInventory
import Testing
@testable import StrataCatalog

/// VM failover's rows: a group's settings, and decisions stored with their events in one transaction.
@Suite struct FailoverStoreTests {
    @Test func settingsAreKeptPerGroupAndOnlyEnabledGroupsAreEvaluated() async throws {
        let catalog = try await makeCatalog()
        let group = try await catalog.createGroup(tenantID: defaultTenant, name: "cluster", members: [], nowMs: 1)
        #expect(try await catalog.failoverSettings(tenantID: defaultTenant, groupID: group.id) == nil)
        #expect(try await catalog.failoverGroups().isEmpty)
        let settings = FailoverSettings(enabled: true, graceMs: 3_000, sharedStorage: ["/shared/"], fencing: .host)
        #expect(try await catalog.setFailoverSettings(tenantID: defaultTenant, groupID: group.id, settings: settings, nowMs: 2))
        #expect(try await catalog.failoverSettings(tenantID: defaultTenant, groupID: group.id) == settings)
        #expect(try await catalog.failoverGroups() == [FailoverGroup(tenantID: defaultTenant, groupID: group.id, settings: settings, members: [])])
        #expect(try await catalog.setFailoverSettings(tenantID: "other", groupID: group.id, settings: settings, nowMs: 3) == false,
                "another tenant's group is not found")
        var off = settings
        off.enabled = false
        _ = try await catalog.setFailoverSettings(tenantID: defaultTenant, groupID: group.id, settings: off, nowMs: 4)
        #expect(try await catalog.failoverGroups().isEmpty)
    }

    @Test func aDecisionIsStoredWithItsEventsAndForgotten() async throws {
        let catalog = try await makeCatalog()
        _ = try await catalog.record(batch: platformBatch(sequence: 1, now: 10))
        let vm = StableID.resource(tenant: defaultTenant, kind: .platform, key: "machine-id:1").description
        var decision = FailoverDecision(id: "c1", vmID: vm, groupID: "g", fromHypervisorID: "a", state: .watching, downSinceMs: 20, updatedMs: 20)
        let events = try await catalog.applyFailover(tenantID: defaultTenant, steps: [
            .save(decision), .event(FailoverEvent(vmID: vm, message: "failover c1 of vm x: considered")),
        ], placementGraceMs: 1_000, nowMs: 20)
        #expect(events.count == 1 && events.first?.kind == .failover)
        decision.state = .requested
        decision.targetID = "b"
        decision.commandID = FailoverDecision.commandID(chain: "c1")
        _ = try await catalog.applyFailover(tenantID: defaultTenant, steps: [
            .save(decision), .start(FailoverStart(chainID: "c1", commandID: "x", vmID: vm, uuid: "u", targetID: "b", definition: "<domain/>")),
        ], placementGraceMs: 1_000, nowMs: 30)
        #expect(try await catalog.failoverDecisions(tenantID: defaultTenant) == [vm: decision])
        #expect(try await catalog.failoverDecisions(tenantID: "other").isEmpty)
        #expect(try await catalog.events(tenantID: defaultTenant, query: EventQuery(resourceID: vm, kind: .failover)).count == 1)
        _ = try await catalog.applyFailover(tenantID: defaultTenant, steps: [.forget(vmID: vm)], placementGraceMs: 1_000, nowMs: 40)
        #expect(try await catalog.failoverDecisions(tenantID: defaultTenant).isEmpty)
    }
}
