import Foundation
import StrataAgent
import Testing

/// The official OpenTelemetry Python SDK (PyPI `opentelemetry-sdk` with `opentelemetry-exporter-otlp-proto-http`,
/// installed by `scripts/install-deps.sh test`) pushes a gauge, a counter and a histogram to a real server over
/// OTLP/HTTP protobuf; PromQL through `/prometheus/api/v1/query` answers exactly the recorded values. The Python
/// SDK has no OTLP/JSON exporter, so JSON is checked with a body written as the OTLP/JSON mapping spells it.
@Suite(.serialized) struct OTLPExportTests {
    static let sdkScript = #"""
        import sys
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        url, authorization = sys.argv[1], sys.argv[2]
        exporter = OTLPMetricExporter(endpoint=url + "/v1/metrics", headers={"Authorization": authorization})
        reader = PeriodicExportingMetricReader(exporter, export_interval_millis=3_600_000)
        resource = Resource.create({"service.name": "otel-it", "service.instance.id": "i-1"})
        provider = MeterProvider(resource=resource, metric_readers=[reader])
        meter = provider.get_meter("strata-integration")
        orders = meter.create_counter("orders", unit="1", description="Orders placed")
        orders.add(5, {"shop": "north"})
        orders.add(2, {"shop": "north"})
        temperature = meter.create_gauge("room.temperature", unit="Cel")
        temperature.set(21.5, {"room": "lab"})
        latency = meter.create_histogram("checkout.latency", unit="ms")
        for value in (3, 40, 400):
            latency.record(value, {"shop": "north"})
        ok = reader.force_flush(timeout_millis=10_000)
        provider.shutdown()
        print("exported" if ok else "export failed")
        """#

    /// PromQL at the server's now: label sets (without `__name__`, `job`, `instance`) → value text.
    static func query(_ bed: Testbed, _ promql: String) throws -> [String: String] {
        let encoded = promql.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let data = try bed.get("/prometheus/api/v1/query?query=\(encoded)") as? [String: Any] ?? [:]
        var out: [String: String] = [:]
        for item in data["result"] as? [[String: Any]] ?? [] {
            let metric = (item["metric"] as? [String: String] ?? [:]).filter { !["__name__", "job", "instance"].contains($0.key) }
            out[metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")] = (item["value"] as? [Any])?.last as? String
        }
        return out
    }

    @Test func theOpenTelemetrySDKPushesAGaugeACounterAndAHistogramQueryableWithPromQL() throws {
        let bed = try Testbed("otlp-sdk")
        let server = try bed.startServer()
        defer { server.terminate() }
        try Self.sdkScript.write(toFile: bed.directory + "/push.py", atomically: true, encoding: .utf8)
        let authorization = "Basic " + Data("admin:\(Testbed.password)".utf8).base64EncodedString()
        let push = try runTool("/usr/bin/env", ["python3", bed.directory + "/push.py", bed.url, authorization])
        #expect(push.output.contains("exported"), "\(push.output)")
        #expect(try Self.query(bed, "orders_total") == ["shop=north": "7"])
        #expect(try Self.query(bed, "room_temperature_celsius") == ["room=lab": "21.5"])
        let buckets = try Self.query(bed, "checkout_latency_milliseconds_bucket")
        // The SDK's default boundaries 0, 5, 10, 25, 50, 75, 100, 250, 500, … 10000: 3 ≤ 5, 40 ≤ 50, 400 ≤ 500.
        #expect(buckets["le=0,shop=north"] == "0")
        #expect(buckets["le=5,shop=north"] == "1")
        #expect(buckets["le=50,shop=north"] == "2")
        #expect(buckets["le=500,shop=north"] == "3")
        #expect(buckets["le=+Inf,shop=north"] == "3")
        #expect(buckets.count == 16, "15 boundaries and +Inf")
        #expect(try Self.query(bed, "checkout_latency_milliseconds_sum") == ["shop=north": "443"])
        #expect(try Self.query(bed, "checkout_latency_milliseconds_count") == ["shop=north": "3"])
        let identity = try bed.get("/prometheus/api/v1/query?query=orders_total") as? [String: Any] ?? [:]
        let metric = ((identity["result"] as? [[String: Any]])?.first?["metric"] as? [String: String]) ?? [:]
        #expect(metric["job"] == "otel-it" && metric["instance"] == "i-1", "service.name is job, service.instance.id instance")
    }

    @Test func anOTLPJSONBodyIsStoredAndAnsweredInJSON() throws {
        let bed = try Testbed("otlp-json")
        let server = try bed.startServer()
        defer { server.terminate() }
        let nowNs = UInt64(Date().timeIntervalSince1970 * 1000) * 1_000_000
        let body = """
        {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"json-it"}}]},
         "scopeMetrics":[{"scope":{"name":"handwritten"},"metrics":[
          {"name":"queue.depth","unit":"{items}","gauge":{"dataPoints":[{"asInt":"12","timeUnixNano":"\(nowNs)"}]}},
          {"name":"jobs.done","sum":{"aggregationTemporality":2,"isMonotonic":true,"dataPoints":[{"asDouble":4.5,"timeUnixNano":"\(nowNs)"}]}}
         ]}]}]}
        """
        let credentials = "Basic " + Data("admin:\(Testbed.password)".utf8).base64EncodedString()
        let response = try HTTPClient(baseURL: bed.url).send(method: "POST", path: "/v1/metrics", headers: [
            ("Authorization", credentials), ("Content-Type", "application/json"),
        ], body: Array(body.utf8))
        #expect(response.status == 200)
        #expect(response.text == "{}")
        #expect(try Self.query(bed, "queue_depth") == ["": "12"])
        #expect(try Self.query(bed, "jobs_done_total") == ["": "4.5"])
    }
}
