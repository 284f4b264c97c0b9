import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// A schedule's target is checked when it is saved: a group or ancestor that is not in the tenant is refused as not
/// found — another tenant's group exactly like one that does not exist.
@Suite struct ScheduleTargetTests {
    @Test func aScheduleOnAMissingOrForeignGroupIsRefusedAsNotFound() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 1)
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let group = try await post(client, "/api/v1/groups", #"{"name": "web", "members": []}"#, boss)
            let foreign = try #require((group.data as? [String: Any])?["id"] as? String, "\(String(buffer: group.body))")
            for id in ["0123456789abcdef", foreign] {
                for target in [#"{"group": "\#(id)"}"#, #"{"group": "\#(id)", "kind": "server"}"#] {
                    let body = #"{"name": "n", "cron": "0 3 * * *", "target": \#(target), "action": "reload"}"#
                    let response = try await post(client, "/api/v1/control/schedules", body, ServerHarness.adminBasic)
                    #expect(response.status == .notFound, "\(body): \(String(buffer: response.body))")
                    #expect((response.json["error"] as? String) == "no group \(id) in this tenant", "\(body)")
                }
            }
            let under = #"{"name": "n", "cron": "0 3 * * *", "target": {"kind": "server", "under": "\#(foreign)"}, "action": "reload"}"#
            let response = try await post(client, "/api/v1/control/schedules", under, ServerHarness.adminBasic)
            #expect(response.status == .notFound, "\(String(buffer: response.body))")
            #expect((response.json["error"] as? String) == "no resource \(foreign) in this tenant")
            let listed = try await client.execute(uri: "/api/v1/control/schedules", method: .get, headers: ServerHarness.adminBasic)
            #expect((listed.data as? [[String: Any]])?.isEmpty == true, "nothing saved")
        }
    }
}
