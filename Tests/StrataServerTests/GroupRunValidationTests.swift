import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// A group run's order is checked whole before its targets are resolved or anything starts: its deadline, its
/// parameters against the action's declared ones, at most 64 of them, each value at most 4,096 bytes.
@Suite struct GroupRunValidationTests {
    /// Posts each body and expects a 400 whose message holds its text, and that no run was stored.
    static func expectRefused(_ client: any TestClientProtocol, _ cases: [(body: String, message: String)]) async throws {
        for (body, message) in cases {
            let response = try await post(client, "/api/v1/control/group-runs", body, ServerHarness.adminBasic)
            #expect(response.status == .badRequest, "\(body.prefix(200)): \(String(buffer: response.body).prefix(300))")
            #expect((response.json["error"] as? String)?.contains(message) == true, "\(body.prefix(200)): \(String(buffer: response.body).prefix(300))")
        }
        let runs = try await client.execute(uri: "/api/v1/control/group-runs", method: .get, headers: ServerHarness.adminBasic)
        #expect((runs.data as? [[String: Any]])?.isEmpty == true, "no run started")
    }

    /// Defect: a bad deadline refused every resource's command one by one, but the run itself started.
    @Test func aGroupRunWithABadDeadlineDoesNotStart() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await ControlGroupTests.setUp(client, count: 2)
            let deadlines = ["-5m", "0s", "500ms", "25h", "9999999999999h", "soon", ""]
            try await Self.expectRefused(client, deadlines.map { deadline in
                (#"{"target": {"kind": "server", "serverType": "nginx"}, "action": "reload", "deadline": "\#(deadline)"}"#, "deadline must be")
            })
        }
    }

    /// Defect: parameters were checked only per resource once the targets were resolved, so a body with thousands
    /// of parameters cost resources × parameters and still started a run of refusals.
    @Test func aGroupRunsParametersAreCheckedAndBoundedBeforeItsTargetsAreResolved() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (_, servers) = try await ControlGroupTests.setUp(client, count: 2)
            let group = try await post(client, "/api/v1/groups", #"{"name": "web", "members": \#(Array(servers.values).description)}"#, ServerHarness.adminBasic)
            let groupID = try #require((group.data as? [String: Any])?["id"] as? String)
            let many = (0..<1_000).map { #""p\#($0)": "1""# }.joined(separator: ", ")
            let long = String(repeating: "a", count: 10_000)
            try await Self.expectRefused(client, [
                (#"{"target": {"kind": "server"}, "action": "renice", "parameters": {\#(many)}}"#, "at most 64 parameters"),
                (#"{"target": {"kind": "platform"}, "action": "run-script", "parameters": {"script": "x", "args": "\#(long)"}}"#, "at most 4096 bytes"),
                // Checked before the group is looked up: no 404 for the missing group.
                (#"{"target": {"group": "nope", "kind": "server"}, "action": "renice", "parameters": {"priority": "5", "bogus": "1"}}"#,
                 #"unknown parameter "bogus""#),
                (#"{"target": {"kind": "server"}, "action": "renice", "parameters": {"priority": "99"}}"#, "parameter priority must be"),
                (#"{"target": {"group": "\#(groupID)"}, "action": "reload", "parameters": {"bogus": "1"}}"#, #"unknown parameter "bogus""#),
                (#"{"target": {"group": "\#(groupID)"}, "action": "explode"}"#, #"no resource offers an action "explode""#),
            ])
        }
    }
}
