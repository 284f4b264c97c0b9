import Testing
@testable import StrataCatalog

/// Schedules are changed only from the body they were read as: what another writer stored or deleted meanwhile stays.
@Suite struct ScheduleStoreTests {
    @Test func anUpdateLandsOnlyOnTheBodyItWasReadFrom() async throws {
        let catalog = try await makeCatalog()
        let first = StoredBody(tenantID: defaultTenant, id: "s1", bodyJSON: #"{"v":1}"#)
        #expect(try await catalog.saveSchedule(first, name: "nightly"))
        #expect(try await catalog.saveSchedule(StoredBody(tenantID: defaultTenant, id: "s2", bodyJSON: "{}"), name: "weekly"))
        #expect(try await catalog.schedule(tenantID: defaultTenant, id: "s1") == first)
        #expect(try await catalog.schedule(tenantID: "other", id: "s1") == nil, "another tenant's schedule is not found")

        var second = first
        second.bodyJSON = #"{"v":2}"#
        #expect(try await catalog.updateSchedule(second, name: "nightly", ifBodyIs: first.bodyJSON) == .updated)
        var stale = first
        stale.bodyJSON = #"{"v":"stale"}"#
        #expect(try await catalog.updateSchedule(stale, name: "nightly", ifBodyIs: first.bodyJSON) == .changed)
        #expect(try await catalog.updateSchedule(stale, name: "weekly", ifBodyIs: second.bodyJSON) == .nameTaken)
        #expect(try await catalog.schedule(tenantID: defaultTenant, id: "s1")?.bodyJSON == second.bodyJSON)

        #expect(try await catalog.deleteSchedule(tenantID: defaultTenant, id: "s1"))
        #expect(try await catalog.updateSchedule(stale, name: "nightly", ifBodyIs: second.bodyJSON) == .missing)
        #expect(try await catalog.schedule(tenantID: defaultTenant, id: "s1") == nil, "a deleted schedule stays deleted")
        #expect(try await catalog.updateSchedule(StoredBody(tenantID: "other", id: "s2", bodyJSON: "{}"), name: "x", ifBodyIs: "{}") == .missing)
    }
}
