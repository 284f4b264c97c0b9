import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAPI
import StrataCatalog
import Testing
@testable import StrataServer

/// A schedule firing while it is changed: a DELETE or PUT stores its change first and tells the scheduler after, so a
/// firing in between must record its run on the schedule as it is now — never on the copy it started from.
@Suite struct ScheduleFiringTests {
    /// Saves a schedule through the API as `headers` and returns its id and next run.
    static func create(_ client: any TestClientProtocol, _ body: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws
        -> (id: String, next: Int64) {
        let created = try await post(client, "/api/v1/control/schedules", body, headers)
        #expect(created.status == .created, "\(String(buffer: created.body))")
        let schedule = try #require(created.data as? [String: Any])
        return (try #require(schedule["id"] as? String), try #require((schedule["nextRuns"] as? [Int64])?.first))
    }

    static let nightly = #"{"name": "nightly", "cron": "30 2 * * *", "target": {"kind": "server", "serverType": "nginx"}, "action": "reload"}"#

    /// Defect: the firing wrote back its copy of the schedule, so a schedule deleted meanwhile came back.
    @Test func aScheduleDeletedWhileItFiresStaysDeleted() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let (id, next) = try await Self.create(client, Self.nightly)
            // The DELETE has removed the row; it tells the scheduler once the firing lets it.
            #expect(try await server.catalog.deleteSchedule(tenantID: defaultTenant, id: id))
            _ = await server.schedules.fireDue(now: next)
            #expect(try await server.catalog.schedules(tenantID: nil).isEmpty, "the deleted schedule did not come back")
            let read = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
            #expect(read.status == .notFound)
        }
    }

    /// Defect: the firing wrote back its copy of the schedule, so an edit stored meanwhile was lost.
    @Test func aScheduleEditedWhileItFiresKeepsTheEditAndRecordsTheRun() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let (id, next) = try await Self.create(client, Self.nightly)
            // The PUT has stored its change; it tells the scheduler once the firing lets it.
            let stored = try #require(try await server.catalog.schedules(tenantID: defaultTenant).first)
            var edited = try JSONDecoder().decode(API.Schedule.self, from: Data(stored.bodyJSON.utf8))
            edited.name = "nightly-edited"
            edited.action = "graceful-stop"
            let json = String(decoding: try JSONEncoder().encode(edited), as: UTF8.self)
            #expect(try await server.catalog.saveSchedule(StoredBody(tenantID: defaultTenant, id: id, bodyJSON: json), name: edited.name))
            _ = await server.schedules.fireDue(now: next)
            let read = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
            let schedule = try #require(read.data as? [String: Any])
            #expect(schedule["name"] as? String == "nightly-edited", "the edit is kept: \(schedule)")
            #expect(schedule["action"] as? String == "graceful-stop")
            #expect(schedule["lastRunMs"] as? Int64 == next, "the run is recorded on the edited schedule")
            #expect(schedule["lastRunId"] as? String != nil)
        }
    }

    /// Schedules due at the same minute all start their runs (fired a few at a time, not one after another).
    @Test func everyScheduleDueAtOnceStartsItsRun() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 2)
            var ids: [String] = []
            var next: Int64 = 0
            for index in 0..<9 {
                let created = try await Self.create(client, Self.nightly.replacingOccurrences(of: #""nightly""#, with: #""nightly-\#(index)""#))
                (ids, next) = (ids + [created.id], created.next)
            }
            _ = await server.schedules.fireDue(now: next)
            let runs = try await client.execute(uri: "/api/v1/control/group-runs", method: .get, headers: ServerHarness.adminBasic)
            let requesters = Set(((runs.data as? [[String: Any]]) ?? []).compactMap { $0["requestedBy"] as? String })
            #expect(requesters == Set((0..<9).map { "schedule:nightly-\($0)" }))
            for id in ids {
                let read = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
                #expect((read.data as? [String: Any])?["lastRunId"] as? String != nil)
            }
        }
    }

    /// A PUT replaces only the schedule it read: it keeps the run recorded and the creator, refuses a taken name, and
    /// finds no schedule once it is deleted.
    @Test func aPutKeepsTheRecordedRunAndFindsNothingOnceDeleted() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let (id, next) = try await Self.create(client, Self.nightly)
            _ = try await Self.create(client, Self.nightly.replacingOccurrences(of: "nightly", with: "weekly"))
            _ = await server.schedules.fireDue(now: next)
            let edit = Self.nightly.replacingOccurrences(of: "reload", with: "graceful-stop")
            let changed = try await post(client, "/api/v1/control/schedules/\(id)", edit, ServerHarness.adminBasic, method: .put)
            #expect(changed.status == .ok, "\(String(buffer: changed.body))")
            let schedule = try #require(changed.data as? [String: Any])
            #expect(schedule["action"] as? String == "graceful-stop" && schedule["lastRunMs"] as? Int64 == next && schedule["createdBy"] as? String == "admin")
            #expect(schedule["lastRunId"] as? String != nil)
            let taken = Self.nightly.replacingOccurrences(of: #""nightly""#, with: #""weekly""#)
            #expect(try await post(client, "/api/v1/control/schedules/\(id)", taken, ServerHarness.adminBasic, method: .put).status == .conflict)
            #expect(try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .delete, headers: ServerHarness.adminBasic).status == .ok)
            #expect(try await post(client, "/api/v1/control/schedules/\(id)", edit, ServerHarness.adminBasic, method: .put).status == .notFound)
            #expect(try await server.catalog.schedule(tenantID: defaultTenant, id: id) == nil)
        }
    }
}
