import Foundation
import Hummingbird
import HummingbirdTesting
import StrataAPI
import Testing
@testable import StrataServer

/// Unknown fields are refused inside a group run's or a schedule's `target` as they are at the top: a misspelt filter
/// must not widen a run to every resource of the kind.
@Suite struct StrictJSONNestedFieldTests {
    /// Defect: `{"kind": "server", "serverTyp": "nginx"}` ran on every server.
    @Test func anUnknownFieldInATargetIsRefusedByName() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (_, servers) = try await ControlGroupTests.setUp(client, count: 1)
            let target = try #require(servers["nginx-0"])
            let cases = [
                ("/api/v1/control/group-runs", #"{"target": {"kind": "server", "serverTyp": "nginx"}, "action": "reload"}"#, "target.serverTyp"),
                ("/api/v1/control/group-runs", #"{"target": {"kind": "server", "name": "n", "under": "u", "x": 1}, "action": "reload", "dryRun": true}"#,
                 "target.x"),
                ("/api/v1/control/schedules", #"{"name": "n", "cron": "0 3 * * *", "target": {"resource": "\#(target)", "groups": "g"}, "action": "reload"}"#,
                 "target.groups"),
            ]
            for (path, body, field) in cases {
                let response = try await post(client, path, body, ServerHarness.adminBasic)
                #expect(response.status == .badRequest, "\(body): \(String(buffer: response.body))")
                let message = response.json["error"] as? String ?? ""
                #expect(message.contains("unknown field(s) \(field)") && message.contains("group, kind, name, resource, serverType, under"), "\(message)")
            }
            let runs = try await client.execute(uri: "/api/v1/control/group-runs", method: .get, headers: ServerHarness.adminBasic)
            #expect((runs.data as? [[String: Any]])?.isEmpty == true, "nothing ran")
        }
    }

    @Test func fieldNamesComeFromTheCodingKeys() {
        #expect(StrictJSON.fields(of: API.ControlTarget.CodingKeys.self) == ["resource", "group", "kind", "serverType", "name", "under"])
    }
}
