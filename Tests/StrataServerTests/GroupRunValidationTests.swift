import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// A group run's order is checked whole before its targets are resolved or anything starts: its deadline.
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

}
