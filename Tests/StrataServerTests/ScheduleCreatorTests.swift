import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCatalog
import Testing
@testable import StrataServer

/// A schedule runs on its creator's authority: when they are disabled, lose control through their role, or the token
/// that saved it is revoked, its firing starts nothing, says why on the schedule and is audited.
@Suite struct ScheduleCreatorTests {
    /// Fires the schedule and checks it started no run, recorded `reason` and was audited as denied.
    static func expectSkipped(_ harness: ServerHarness, _ client: any TestClientProtocol, id: String, next: Int64, reason: String) async throws {
        _ = await harness.server.schedules.fireDue(now: next)
        let runs = try await client.execute(uri: "/api/v1/control/group-runs", method: .get, headers: ServerHarness.adminBasic)
        #expect((runs.data as? [[String: Any]])?.isEmpty == true, "no group run started: \(String(buffer: runs.body))")
        let read = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
        let schedule = try #require(read.data as? [String: Any])
        #expect(schedule["lastRunId"] as? String == nil)
        #expect(schedule["lastRunMs"] as? Int64 == next)
        #expect((schedule["lastError"] as? String)?.contains(reason) == true, "\(schedule)")
        let audit = try await client.execute(uri: "/api/v1/audit?limit=100", method: .get, headers: ServerHarness.adminBasic)
        let denied = ((audit.data as? [[String: Any]]) ?? []).filter { $0["action"] as? String == "control.schedule.run" && $0["outcome"] as? String == "denied" }
        #expect(denied.count == 1 && (denied.first?["detail"] as? String)?.contains(reason) == true, "\(denied)")
    }

    /// An operator `ana` and her id.
    static func operatorAna(_ client: any TestClientProtocol) async throws -> Int {
        let user = try await post(client, "/api/v1/users", #"{"username":"ana","password":"ana-password-1","role":"operator"}"#, ServerHarness.adminBasic)
        return try #require((user.data as? [String: Any])?["id"] as? Int)
    }

    @Test func aDisabledCreatorsScheduleStartsNothing() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let ana = try await Self.operatorAna(client)
            let (id, next) = try await ScheduleFiringTests.create(client, ScheduleFiringTests.nightly, basic("ana", "ana-password-1"))
            #expect(try await post(client, "/api/v1/users/\(ana)", #"{"disabled": true}"#, ServerHarness.adminBasic, method: .patch).status == .ok)
            try await Self.expectSkipped(harness, client, id: id, next: next, reason: "ana is disabled")
        }
    }

    @Test func aCreatorWhoseRoleLostControlStartsNothing() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let ana = try await Self.operatorAna(client)
            let (id, next) = try await ScheduleFiringTests.create(client, ScheduleFiringTests.nightly, basic("ana", "ana-password-1"))
            #expect(try await post(client, "/api/v1/users/\(ana)", #"{"role": "viewer"}"#, ServerHarness.adminBasic, method: .patch).status == .ok)
            try await Self.expectSkipped(harness, client, id: id, next: next, reason: #"role viewer does not grant "control""#)
        }
    }

    @Test func aScheduleSavedWithARevokedTokenStartsNothing() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let created = try await post(client, "/api/v1/tokens", #"{"name":"scheduler","scopes":["read","control"]}"#, ServerHarness.adminBasic)
            let token = try #require((created.data as? [String: Any])?["token"] as? String)
            let tokenID = try #require((created.data as? [String: Any])?["id"] as? Int)
            let bearer: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let (id, next) = try await ScheduleFiringTests.create(client, ScheduleFiringTests.nightly, bearer)
            let revoked = try await client.execute(uri: "/api/v1/tokens/\(tokenID)", method: .delete, headers: ServerHarness.adminBasic)
            #expect(revoked.status == .ok)
            try await Self.expectSkipped(harness, client, id: id, next: next, reason: "token scheduler is revoked")
        }
    }

    @Test func aScheduleWhoseCreatorStillStandsRuns() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            _ = try await Self.operatorAna(client)
            let (id, next) = try await ScheduleFiringTests.create(client, ScheduleFiringTests.nightly, basic("ana", "ana-password-1"))
            _ = await harness.server.schedules.fireDue(now: next)
            let read = try await client.execute(uri: "/api/v1/control/schedules/\(id)", method: .get, headers: ServerHarness.adminBasic)
            let schedule = try #require(read.data as? [String: Any])
            #expect(schedule["lastRunId"] as? String != nil && schedule["lastError"] as? String == nil, "\(schedule)")
        }
    }
}
