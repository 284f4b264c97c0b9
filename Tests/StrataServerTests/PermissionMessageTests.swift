import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import StrataServer

/// A refusal says what is missing: the role's permission, or the scope a token was narrowed without.
@Suite struct PermissionMessageTests {
    /// Defect: "this token's scopes does not grant" — wrong grammar, and it did not say the scope was what lacked.
    @Test func aNarrowTokenIsToldWhichScopeItLacks() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let (_, servers) = try await ControlGroupTests.setUp(client, count: 1)
            let created = try await post(client, "/api/v1/tokens", #"{"name":"watcher","scopes":["read"]}"#, ServerHarness.adminBasic)
            let token = try #require((created.data as? [String: Any])?["token"] as? String)
            let bearer: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
            let run = try await post(client, "/api/v1/control/group-runs", #"{"target": {"kind": "server"}, "action": "reload"}"#, bearer)
            #expect(run.status == .forbidden)
            #expect(run.json["error"] as? String == #"this token's scopes do not include "control""#, "\(String(buffer: run.body))")
            let command = try await post(client, "/api/v1/control/commands", #"{"resource": "\#(servers["nginx-0"] ?? "")", "action": "reload"}"#, bearer)
            #expect(command.status == .forbidden)
            #expect(command.json["error"] as? String == #"this token's scopes do not include "control""#, "\(String(buffer: command.body))")

            _ = try await post(client, "/api/v1/users", #"{"username":"vic","password":"vic-password-1","role":"viewer"}"#, ServerHarness.adminBasic)
            let viewer = try await post(client, "/api/v1/control/group-runs", #"{"target": {"kind": "server"}, "action": "reload"}"#,
                                        basic("vic", "vic-password-1"))
            #expect(viewer.json["error"] as? String == #"role viewer does not grant "control""#)
        }
    }
}
