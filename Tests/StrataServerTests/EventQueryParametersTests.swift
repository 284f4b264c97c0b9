import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import StrataServer

/// Found by the web UI's review: the event filters take the relative times their message offers, refuse a `subtree`
/// they cannot honour instead of ignoring it, and a silence cannot name an empty resource.
@Suite struct EventQueryParametersTests {
    @Test func sinceAndUntilTakeRelativeAndRFC3339TimesAndABadSubtreeIsRefused() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            for good in ["since=24h", "since=now-10m&until=now", "since=2026-12-03T14:00:00Z", "since=1764748800000",
                         "resource=abc&subtree=true", "subtree=false"] {
                let response = try await client.execute(uri: "/api/v1/events?\(good)", method: .get, headers: ServerHarness.adminBasic)
                #expect(response.status == .ok, "\(good): \(String(buffer: response.body))")
            }
            for bad in ["subtree=abc", "subtree=true", "subtree=1", "since=yesterday"] {
                let response = try await client.execute(uri: "/api/v1/events?\(bad)", method: .get, headers: ServerHarness.adminBasic)
                #expect(response.status == .badRequest, "\(bad) answered \(response.status)")
            }
        }
    }

    @Test func aSilenceNamingAnEmptyResourceIsRefused() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let body = #"{"resources": [""], "endsMs": 4102444800000, "comment": "maintenance"}"#
            let response = try await client.execute(uri: "/api/v1/silences", method: .post, headers: ServerHarness.adminBasic,
                                                    body: ByteBuffer(string: body))
            #expect(response.status == .badRequest && String(buffer: response.body).contains("empty id"))
        }
    }
}
