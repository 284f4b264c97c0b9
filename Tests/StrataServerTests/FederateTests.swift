import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// `/prometheus/federate`: the latest sample of each matching series in the text exposition format, as Prometheus's
/// own `/federate` answers a scraping Prometheus; ended and old series left out; tenants apart.
@Suite struct FederateTests {
    static func federate(_ client: any TestClientProtocol, _ selectors: [String], _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        let query = selectors.map { "match%5B%5D=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }.joined(separator: "&")
        return try await client.execute(uri: "/prometheus/federate?" + query, method: .get, headers: headers)
    }

    @Test func theLatestSampleOfEachMatchingSeriesIsExposedAsText() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs()
            let stale = Double(bitPattern: Sample.staleNaNBits)
            let written = try await write(client, [
                (labels: [("__name__", "up"), ("job", "node"), ("instance", "a:9100")], samples: [(now - 20_000, 0), (now - 5_000, 1)]),
                (labels: [("__name__", "up"), ("job", "db"), ("instance", "b\"q\\")], samples: [(now - 4_000, 1e6)]),
                (labels: [("__name__", "up"), ("job", "gone")], samples: [(now - 9_000, 1), (now - 8_000, stale)]),
                (labels: [("__name__", "up"), ("job", "old")], samples: [(now - 400_000, 1)]),
                (labels: [("__name__", "http_requests_total"), ("job", "node")], samples: [(now - 3_000, .nan)]),
            ])
            #expect(written.status == .noContent)

            let answer = try await Self.federate(client, ["up", #"{__name__="http_requests_total"}"#, #"up{job="node"}"#])
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            #expect(String(buffer: answer.body) == """
                # TYPE http_requests_total untyped
                http_requests_total{job="node"} NaN \(now - 3_000)
                # TYPE up untyped
                up{instance="a:9100",job="node"} 1 \(now - 5_000)
                up{instance="b\\"q\\\\",job="db"} 1e+06 \(now - 4_000)

                """, "sorted by name, each series once, the ended and the old ones left out")

            let none = try await client.execute(uri: "/prometheus/federate", method: .get, headers: ServerHarness.adminBasic)
            #expect(none.status == .ok && none.body.readableBytes == 0, "no match[] answers nothing, as Prometheus's")
            let bad = try await Self.federate(client, ["up{"])
            #expect(bad.status == .badRequest)
            let anonymous = try await client.execute(uri: "/prometheus/federate?match%5B%5D=up", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func anotherTenantFederatesNoneOfTheSeries() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs()
            _ = try await write(client, [(labels: [("__name__", "up"), ("job", "node")], samples: [(now - 5_000, 1)])])
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let answer = try await Self.federate(client, [#"{__name__=~".+"}"#], boss)
            #expect(answer.status == .ok && answer.body.readableBytes == 0)
        }
    }
}
