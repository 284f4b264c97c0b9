import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// The Prometheus HTTP API's finding routes as Grafana and promtool call them: series, label names and values with
/// `match[]` by GET and form POST, metadata, build and runtime information, Prometheus's errors, and tenants apart.
@Suite struct PrometheusAPITests {
    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: headers)
    }

    static func form(_ client: any TestClientProtocol, _ uri: String, _ body: String) async throws -> TestResponse {
        var headers = ServerHarness.adminBasic
        headers[.contentType] = "application/x-www-form-urlencoded"
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// Three series of two metrics and two jobs, written a few seconds ago.
    static func seed(_ client: any TestClientProtocol) async throws {
        let now = WallClock.nowMs()
        let written = try await write(client, [
            (labels: [("__name__", "up"), ("job", "node"), ("instance", "a:9100")], samples: [(now - 5_000, 1)]),
            (labels: [("__name__", "up"), ("job", "prometheus"), ("instance", "b:9090")], samples: [(now - 5_000, 1)]),
            (labels: [("__name__", "http_requests_total"), ("job", "node"), ("code", "200")], samples: [(now - 5_000, 7)]),
        ])
        #expect(written.status == .noContent)
    }

    @Test func seriesLabelsAndValuesAnswerMatchSelectorsByGetAndFormPost() async throws {
        try await ServerHarness().test { client in
            try await Self.seed(client)
            let series = try await Self.get(client, "/prometheus/api/v1/series?match%5B%5D=up&start=0&end=9999999999")
            #expect(series.status == .ok)
            #expect(series.json["status"] as? String == "success")
            #expect(series.data as? [[String: String]] == [
                ["__name__": "up", "instance": "a:9100", "job": "node"], ["__name__": "up", "instance": "b:9090", "job": "prometheus"],
            ])
            #expect(String(buffer: series.body).contains(#"{"__name__":"up","instance":"a:9100","job":"node"}"#), "labels in name order")
            let union = try await Self.form(client, "/prometheus/api/v1/series",
                                            "match%5B%5D=up%7Bjob%3D%22node%22%7D&match%5B%5D=%7Bcode%3D%22200%22%7D&start=1.5")
            #expect(union.status == .ok, "\(String(buffer: union.body))")
            #expect((union.data as? [[String: String]])?.map { $0["__name__"] ?? "" } == ["http_requests_total", "up"])

            let labels = try await Self.get(client, "/prometheus/api/v1/labels")
            #expect(labels.data as? [String] == ["__name__", "code", "instance", "job"], "no internal label")
            let narrowed = try await Self.form(client, "/prometheus/api/v1/labels", "match%5B%5D=up")
            #expect(narrowed.data as? [String] == ["__name__", "instance", "job"])
            let names = try await Self.get(client, "/prometheus/api/v1/label/__name__/values")
            #expect(names.data as? [String] == ["http_requests_total", "up"])
            let jobs = try await Self.get(client, "/prometheus/api/v1/label/job/values?match%5B%5D=http_requests_total")
            #expect(jobs.data as? [String] == ["node"])
            let limited = try await Self.get(client, "/prometheus/api/v1/label/job/values?limit=1")
            #expect(limited.data as? [String] == ["node"])
            let truncated = try await Self.get(client, "/prometheus/api/v1/series?match%5B%5D=up&limit=1")
            #expect((truncated.data as? [Any])?.count == 1 && truncated.json["warnings"] as? [String] == ["results truncated due to limit"])
        }
    }

    @Test func badParametersGetPrometheusErrors() async throws {
        try await ServerHarness().test { client in
            let cases: [(uri: String, error: String)] = [
                ("/prometheus/api/v1/series", "no match[] parameter provided"),
                ("/prometheus/api/v1/series?match%5B%5D=up&start=abc", #"invalid parameter "start": cannot parse "abc" to a valid timestamp"#),
                ("/prometheus/api/v1/series?match%5B%5D=up&start=20&end=10", #"invalid parameter "end": end timestamp must not be before start time"#),
                ("/prometheus/api/v1/labels?limit=-1", #"invalid parameter "limit": cannot parse "-1" to a valid limit"#),
                ("/prometheus/api/v1/label/1bad/values", #"invalid label name: "1bad""#),
            ]
            for probe in cases {
                let response = try await Self.get(client, probe.uri)
                #expect(response.status == .badRequest, "\(probe.uri)")
                #expect(response.json["errorType"] as? String == "bad_data" && response.json["error"] as? String == probe.error,
                        "\(probe.uri): \(String(buffer: response.body))")
            }
            let selector = try await Self.get(client, "/prometheus/api/v1/series?match%5B%5D=up%7B")
            #expect(selector.status == .badRequest && (selector.json["error"] as? String)?.hasPrefix(#"invalid parameter "match[]": "#) == true)
            let json = try await client.execute(uri: "/prometheus/api/v1/labels", method: .post, headers: ServerHarness.adminBasic,
                                                body: ByteBuffer(string: "{}"))
            #expect(json.status == .unsupportedMediaType)
            let formWrite = try await Self.form(client, "/prometheus/api/v1/write", "x=1")
            #expect(formWrite.status == .forbidden, "a form POST on basic credentials is still no write (CSRF)")
            let anonymous = try await client.execute(uri: "/prometheus/api/v1/labels", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func anotherTenantSeesNoneOfTheSeriesLabelsOrValues() async throws {
        try await ServerHarness().test { client in
            try await Self.seed(client)
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            #expect(try await Self.get(client, "/prometheus/api/v1/series?match%5B%5D=up", boss).data as? [[String: String]] == [])
            #expect(try await Self.get(client, "/prometheus/api/v1/labels", boss).data as? [String] == [])
            #expect(try await Self.get(client, "/prometheus/api/v1/label/job/values", boss).data as? [String] == [])
        }
    }

    @Test func metadataBuildAndRuntimeInformationAreThere() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try await harness.server.catalog.recordMetricMetadata(tenantID: "default", metadata: [
                MetricMetadata(family: "http_requests_total", type: .counter, help: "Requests served."),
                MetricMetadata(family: "queue_depth", type: .gauge, help: "Items waiting.", unit: "items"),
            ], nowMs: WallClock.nowMs())
            let all = try await Self.get(client, "/prometheus/api/v1/metadata")
            let families = all.data as? [String: [[String: String]]]
            #expect(families?["http_requests_total"] == [["type": "counter", "help": "Requests served.", "unit": ""]])
            #expect(families?["queue_depth"] == [["type": "gauge", "help": "Items waiting.", "unit": "items"]])
            let one = try await Self.get(client, "/prometheus/api/v1/metadata?metric=queue_depth")
            #expect((one.data as? [String: Any])?.keys.sorted() == ["queue_depth"])
            let build = try await Self.get(client, "/prometheus/api/v1/status/buildinfo")
            #expect((build.data as? [String: String])?["version"] == "2.42.0")
            let runtime = try await Self.get(client, "/prometheus/api/v1/status/runtimeinfo")
            #expect((runtime.data as? [String: Any])?["storageRetention"] != nil)
            let exemplars = try await Self.get(client, "/prometheus/api/v1/query_exemplars?query=up")
            #expect(exemplars.data as? [Any] != nil && (exemplars.data as? [Any])?.isEmpty == true)
        }
    }

    @Test func timesAndDurationsAreReadAsPrometheusReadsThem() throws {
        #expect(PrometheusParameters.timeMs("1700000000.1234") == 1_700_000_000_123)
        #expect(PrometheusParameters.timeMs("2026-12-03T10:00:00Z") == 1_796_292_000_000)
        #expect(PrometheusParameters.timeMs("2026-12-03T10:00:00.5+01:00") == 1_796_288_400_500)
        #expect(PrometheusParameters.timeMs("-9223372036854775808") == PrometheusParameters.earliestMs, "Prometheus's minimum time is clamped")
        #expect(PrometheusParameters.timeMs("1e300") == PrometheusParameters.latestMs)
        #expect(PrometheusParameters.timeMs("NaN") == nil && PrometheusParameters.timeMs("yesterday") == nil)
        #expect(PrometheusParameters.durationMs("1h30m") == 5_400_000)
        #expect(PrometheusParameters.durationMs("1w2d") == 777_600_000)
        #expect(PrometheusParameters.durationMs("1y") == 31_536_000_000)
        #expect(PrometheusParameters.durationMs("30m1h") == nil, "units from largest to smallest")
        #expect(PrometheusParameters.durationMs("99999999999999999999s") == nil)
        #expect(throws: PrometheusParameters.Invalid.self) { try PrometheusParameters(query: "step=1e300").duration("step") }
        #expect(try PrometheusParameters(query: "step=0.5").duration("step") == 500)
        #expect(try PrometheusParameters(query: "step=15s").duration("step") == 15_000)
    }
}
