import Foundation
import Hummingbird
import HummingbirdTesting
import StrataControl
import Testing
@testable import StrataServer

/// VM failover's settings through the API: defaults, merge, checks with actionable messages, the chains' list; the
/// failover start is no action a person can request.
@Suite struct FailoverRoutesTests {
    @Test func aGroupsSettingsStartFromTheDefaultsAreMergedAndCheckedAndTheStartIsNoManualAction() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let admin = ServerHarness.adminBasic
            let group = try await post(client, "/api/v1/groups", #"{"name": "cluster", "members": []}"#, admin)
            let groupID = try #require((group.data as? [String: Any])?["id"] as? String)
            let defaults = try await client.execute(uri: "/api/v1/groups/\(groupID)/failover", method: .get, headers: admin)
            let initial = try #require(defaults.data as? [String: Any])
            #expect(initial["enabled"] as? Bool == false && initial["gracePeriod"] as? String == "1m" && initial["fencing"] as? String == "hypervisor")

            let uri = "/api/v1/groups/\(groupID)/failover"
            let set = try await post(client, uri, #"{"enabled": true, "gracePeriod": "90s", "sharedStorage": ["/srv/shared"]}"#, admin, method: .put)
            #expect(set.status == .ok, "\(String(buffer: set.body))")
            let fencing = try await post(client, uri, #"{"fencing": "host"}"#, admin, method: .put)
            let merged = try #require(fencing.data as? [String: Any])
            #expect(merged["enabled"] as? Bool == true && merged["sharedStorage"] as? [String] == ["/srv/shared/"] && merged["fencing"] as? String == "host",
                    "fields left out keep their values: \(merged)")

            for (body, words) in [(#"{"sharedStorage": ["srv/shared"]}"#, "absolute paths"), (#"{"gracePeriod": "0s"}"#, "gracePeriod"),
                                  (#"{"fencing": "ipmi"}"#, "hypervisor or host"), (#"{"antiAffinity": [["a", "b"]]}"#, "not members of the group"),
                                  (#"{"grace": "60s"}"#, "grace")] {
                let refused = try await post(client, uri, body, admin, method: .put)
                #expect(refused.status == .badRequest && String(buffer: refused.body).contains(words), "\(body): \(String(buffer: refused.body))")
            }
            let missing = try await client.execute(uri: "/api/v1/groups/0123456789abcdef/failover", method: .get, headers: admin)
            #expect(missing.status == .notFound)
            let chains = try await client.execute(uri: "/api/v1/failover", method: .get, headers: admin)
            let list = chains.data as? [Any]
            #expect(chains.status == .ok && list?.isEmpty == true)
        }
        #expect(ActionCatalog.actions(kind: .hypervisor).map(\.name) == ["failover-start"])
        #expect(ActionCatalog.actions(kind: .hypervisor).allSatisfy { $0.systemOnly }, "only the failover service requests it")
    }
}
