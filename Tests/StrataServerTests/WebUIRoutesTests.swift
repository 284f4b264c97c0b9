import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import StrataServer

/// The web UI's files and the inventory reads its pages rely on: `/` and `/ui/…` from `web/`, nothing outside it,
/// paging and filters with `X-Total-Count`, counts per layer, and no Basic challenge to a page's own requests.
@Suite struct WebUIRoutesTests {
    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers, body: nil)
    }

    @Test func thePageAndItsFilesAreServedWithAPolicyAndNothingOutsideTheDirectory() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let page = try await Self.get(client, "/", [:])
            #expect(page.status == .ok && page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(String(buffer: page.body).contains("/ui/js/app.js"))
            #expect(page.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
            let script = try await Self.get(client, "/ui/js/app.js", [:])
            #expect(script.status == .ok && script.headers[.contentType] == "text/javascript; charset=utf-8")
            let etag = try #require(script.headers[.eTag])
            let again = try await Self.get(client, "/ui/js/app.js", [.ifNoneMatch: etag])
            #expect(again.status == .notModified)
            for hostile in ["/ui/../Package.swift", "/ui/%2e%2e/Package.swift", "/ui/.hidden.js", "/ui/js/app.swift", "/ui/nope.js", "/ui/js/%2e%2e/%2e%2e/Package.swift"] {
                let response = try await Self.get(client, hostile, [:])
                #expect(response.status == .notFound, "\(hostile) answered \(response.status)")
            }
        }
    }

    @Test func withoutTheFilesTheRootExplainsHowToConfigureThem() async throws {
        let harness = try ServerHarness { $0.uiDirectory = "/nonexistent/strata-web" }
        try await harness.test { client in
            let page = try await Self.get(client, "/", [:])
            #expect(page.status == .ok && String(buffer: page.body).contains("ui_directory"))
        }
    }

    @Test func aScriptsRequestGetsNoBasicChallengeButACommandLineClientDoes() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let fromPage = try await Self.get(client, "/api/v1/whoami", [HTTPField.Name("Sec-Fetch-Mode")!: "cors"])
            #expect(fromPage.status == .unauthorized && fromPage.headers[.wwwAuthenticate] == nil)
            let fromCurl = try await Self.get(client, "/api/v1/whoami", [:])
            #expect(fromCurl.status == .unauthorized && fromCurl.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
        }
    }

    @Test func theInventoryIsPagedAndFilteredWithItsTotalAndCountedByLayer() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            var resources: [[String: Any]] = [["kind": "platform", "key": "host-a", "name": "host-a", "properties": ["rack": "r1"]]]
            resources.append(["kind": "hypervisor", "key": "kvm-a", "name": "kvm-a", "parent": "host-a"])
            for index in 0..<25 {
                resources.append(["kind": "vm", "key": "vm-\(index)", "name": String(format: "vm-%02d", index),
                                  "placements": [["hypervisor": "kvm-a", "from": "2026-11-01T00:00:00Z"]]])
            }
            resources.append(["kind": "platform", "key": "guest-0", "name": "guest-0", "properties": ["rack": "r2"],
                              "relations": [["kind": "runs-in", "target": "vm-0"]]])
            let document = try JSONSerialization.data(withJSONObject: ["version": 1, "resources": resources])
            let imported = try await client.execute(uri: "/api/v1/import", method: .post, headers: ServerHarness.adminBasic,
                                                    body: ByteBuffer(bytes: document))
            #expect(imported.status == .ok, "\(String(buffer: imported.body))")

            let first = try await Self.get(client, "/api/v1/resources?kind=vm&limit=10")
            #expect(first.headers[HTTPField.Name("X-Total-Count")!] == "25")
            let third = try await Self.get(client, "/api/v1/resources?kind=vm&limit=10&offset=20")
            let names = try Self.names(third)
            #expect(names == (20..<25).map { String(format: "vm-%02d", $0) })
            #expect(try Self.names(try await Self.get(client, "/api/v1/resources?property=rack%3Dr2")) == ["guest-0"])
            #expect(try Self.names(try await Self.get(client, "/api/v1/resources?parent=none")) == ["host-a"])
            #expect(try Self.names(try await Self.get(client, "/api/v1/resources?kind=vm&availability=down")).isEmpty)
            for bad in ["property=no-equals", "property=a%20b%3Dc", "availability=sideways", "offset=-1"] {
                let response = try await Self.get(client, "/api/v1/resources?\(bad)")
                #expect(response.status == .badRequest, "\(bad) answered \(response.status)")
            }

            let summary = try await Self.get(client, "/api/v1/inventory/summary")
            let data = try #require(try JSONSerialization.jsonObject(with: Data(buffer: summary.body)) as? [String: Any])
            let kinds = try #require((data["data"] as? [String: Any])?["kinds"] as? [String: [String: Int]])
            #expect(kinds["host"]?.values.reduce(0, +) == 1 && kinds["guest"]?.values.reduce(0, +) == 1)
            #expect(kinds["vm"]?.values.reduce(0, +) == 25 && kinds["hypervisor"]?.values.reduce(0, +) == 1)
        }
    }

    static func names(_ response: TestResponse) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
        return (object?["data"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    }
}
