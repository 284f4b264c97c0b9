import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// The OTLP/HTTP receiver in process: encodings, answers, the shared ingest path and the inventory join.
struct OTLPReceiverTests {
    static func headers(_ contentType: String, _ base: HTTPFields = ServerHarness.adminBasic, gzip: Bool = false) -> HTTPFields {
        var headers = base
        headers[.contentType] = contentType
        if gzip { headers[.contentEncoding] = "gzip" }
        return headers
    }

    /// One PromQL instant query at `timeMs`: label sets (without `__name__`) → value text.
    static func query(_ client: any TestClientProtocol, _ promql: String, at timeMs: Int64) async throws -> [String: String] {
        let response = try await PrometheusQueryTests.get(client, "/prometheus/api/v1/query", [("query", promql), ("time", "\(Double(timeMs) / 1000)")])
        let result = ((response.data as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        var out: [String: String] = [:]
        for item in result {
            let metric = (item["metric"] as? [String: String] ?? [:]).filter { $0.key != "__name__" }
            let labels = metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[labels] = (item["value"] as? [Any])?.last as? String
        }
        return out
    }

    static func request(nowMs: Int64, resource: [OTLPAttribute] = [OTLPAttribute("service.name", .string("shop"))]) -> OTLPMetricsRequest {
        let time = UInt64(nowMs) * 1_000_000
        return OTLPMetricsRequest(resources: [OTLPResourceMetrics(attributes: resource, metrics: [
            OTLPMetric(name: "cart.items", data: .gauge([OTLPNumberPoint(attributes: [OTLPAttribute("store", .string("north"))], timeUnixNano: time, value: 3.5)])),
            OTLPMetric(name: "orders", data: .sum([OTLPNumberPoint(timeUnixNano: time, value: 12)], temporality: .cumulative, monotonic: true)),
            OTLPMetric(name: "checkout.duration", unit: "s", data: .histogram([
                OTLPHistogramPoint(timeUnixNano: time, count: 4, sum: 2.5, bucketCounts: [1, 2, 1], bounds: [0.1, 1]),
            ], temporality: .cumulative)),
        ])])
    }

    @Test func protobufExportIsStoredAndQueryableWithPromQL() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs() - 5_000
            let body = OTLPProtoEncoder().request(Self.request(nowMs: now))
            let response = try await client.execute(uri: "/v1/metrics", method: .post, headers: Self.headers("application/x-protobuf"),
                                                    body: ByteBuffer(bytes: body))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/x-protobuf")
            #expect(response.body.readableBytes == 0, "an empty ExportMetricsServiceResponse: nothing refused")
            #expect(try await Self.query(client, "cart_items", at: now) == ["job=shop,store=north": "3.5"])
            #expect(try await Self.query(client, "orders_total", at: now) == ["job=shop": "12"])
            #expect(try await Self.query(client, "checkout_duration_seconds_bucket", at: now)
                    == ["job=shop,le=0.1": "1", "job=shop,le=1": "3", "job=shop,le=+Inf": "4"])
            #expect(try await Self.query(client, "checkout_duration_seconds_sum + checkout_duration_seconds_count", at: now) == ["job=shop": "6.5"])
        }
    }

    @Test func gzipJSONExportOnPrometheusPathIsStoredAndAnsweredInJSON() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs() - 5_000
            let json = """
            {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"jsonsvc"}}]},
             "scopeMetrics":[{"metrics":[{"name":"temperature","unit":"Cel","gauge":{"dataPoints":[{"asDouble":21.5,"timeUnixNano":"\(now)000000"}]}}]}]}]}
            """
            let response = try await client.execute(uri: "/prometheus/api/v1/otlp/v1/metrics", method: .post,
                                                    headers: Self.headers("application/json; charset=utf-8", gzip: true),
                                                    body: ByteBuffer(bytes: Zlib.gzip(Array(json.utf8))))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(String(buffer: response.body) == "{}")
            #expect(try await Self.query(client, "temperature_celsius", at: now) == ["job=jsonsvc": "21.5"])
        }
    }

    @Test func refusedPointsAreReportedAsPartialSuccessAndTheRestIsStored() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs() - 5_000
            let time = UInt64(now) * 1_000_000
            let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(metrics: [
                OTLPMetric(name: "deltas", data: .sum([OTLPNumberPoint(timeUnixNano: time, value: 1)], temporality: .delta, monotonic: true)),
                OTLPMetric(name: "kept", data: .gauge([OTLPNumberPoint(timeUnixNano: time, value: 1)])),
            ])])
            let response = try await client.execute(uri: "/v1/metrics", method: .post, headers: Self.headers("application/x-protobuf"),
                                                    body: ByteBuffer(bytes: OTLPProtoEncoder().request(request)))
            #expect(response.status == .ok)
            let body = Array(response.body.readableBytesView)
            // partial_success (field 1, its length as a varint), then rejected_data_points (field 1, varint) = 1.
            var index = 1
            while index < body.count && body[index] & 0x80 != 0 { index += 1 }
            #expect(body.first == 0x0a && Array(body.dropFirst(index + 1).prefix(2)) == [0x08, 1], "partial_success{rejected_data_points: 1, …}")
            #expect(String(decoding: body, as: UTF8.self).contains("delta temporality"))
            #expect(try await Self.query(client, "kept", at: now) == ["": "1"])
            let json = try await client.execute(uri: "/v1/metrics", method: .post, headers: Self.headers("application/json"),
                                                body: ByteBuffer(string: #"{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"d","sum":{"aggregationTemporality":1,"dataPoints":[{"asInt":"1","timeUnixNano":"\#(time)"}]}}]}]}]}"#))
            let partial = json.json["partialSuccess"] as? [String: Any]
            #expect(partial?["rejectedDataPoints"] as? String == "1")
        }
    }

    @Test func badBodiesGetTheStatusTheSpecNamesNeverACrash() async throws {
        try await ServerHarness(configure: { $0.maxRemoteWriteBytes = 4096 }).test { client in
            func post(_ headers: HTTPFields, _ body: [UInt8]) async throws -> TestResponse {
                try await client.execute(uri: "/v1/metrics", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            }
            let protobuf = Self.headers("application/x-protobuf")
            let garbage = try await post(protobuf, [0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2])
            #expect(garbage.status == .badRequest)
            #expect(Array(garbage.body.readableBytesView).starts(with: [0x08, 0x03, 0x12]), "a google.rpc.Status, INVALID_ARGUMENT")
            let badJSON = try await post(Self.headers("application/json"), Array("{\"resourceMetrics\":".utf8))
            #expect(badJSON.status == .badRequest)
            #expect(badJSON.json["code"] as? Int == 3)
            #expect((badJSON.json["message"] as? String)?.contains("OTLP/JSON") == true)
            #expect(try await post(Self.headers("application/xml"), [1]).status == .unsupportedMediaType)
            // A form type with basic credentials is refused before it (the CSRF rule of docs/security.md).
            #expect(try await post(Self.headers("text/plain"), [1]).status == .forbidden)
            #expect(try await post(Self.headers("application/x-protobuf", gzip: false).merging([.contentEncoding: "br"]), [1]).status
                    == .unsupportedMediaType)
            #expect(try await post(Self.headers("application/x-protobuf", gzip: true), [1, 2, 3]).status == .badRequest)
            #expect(try await post(protobuf, [UInt8](repeating: 0, count: 5000)).status == .contentTooLarge)
            let bomb = Zlib.gzip([UInt8](repeating: 0x0a, count: 1 << 20))
            #expect(bomb.count < 4096)
            #expect(try await post(Self.headers("application/x-protobuf", gzip: true), bomb).status == .contentTooLarge)
            // Truncated at every length: always a 4xx.
            let good = OTLPProtoEncoder().request(Self.request(nowMs: WallClock.nowMs()))
            for cut in stride(from: 1, to: good.count, by: 7) {
                let status = try await post(protobuf, Array(good.prefix(cut))).status.code
                #expect((400..<500).contains(status), "cut at \(cut)")
            }
        }
    }

    @Test func exportNeedsTheWritePermissionOfRemoteWrite() async throws {
        try await ServerHarness().test { client in
            let body = ByteBuffer(bytes: OTLPProtoEncoder().request(Self.request(nowMs: WallClock.nowMs())))
            var anonymous = HTTPFields()
            anonymous[.contentType] = "application/x-protobuf"
            #expect(try await client.execute(uri: "/v1/metrics", method: .post, headers: anonymous, body: body).status == .unauthorized)
            _ = try await post(client, "/api/v1/users", #"{"username":"watcher","password":"watcher-pass-1","role":"viewer"}"#, ServerHarness.adminBasic)
            let viewer = Self.headers("application/x-protobuf", basic("watcher", "watcher-pass-1"))
            #expect(try await client.execute(uri: "/v1/metrics", method: .post, headers: viewer, body: body).status == .forbidden)
        }
    }

    @Test func aPointWithoutRecordedValueEndsTheSeriesForPromQL() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs() - 10_000
            for (offset, flags) in [(Int64(0), UInt32(0)), (2_000, OTLPFlags.noRecordedValue)] {
                let point = OTLPNumberPoint(timeUnixNano: UInt64(now + offset) * 1_000_000, value: 5, flags: flags)
                let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(metrics: [OTLPMetric(name: "ending", data: .gauge([point]))])])
                let response = try await client.execute(uri: "/v1/metrics", method: .post, headers: Self.headers("application/x-protobuf"),
                                                        body: ByteBuffer(bytes: OTLPProtoEncoder().request(request)))
                #expect(response.status == .ok)
            }
            #expect(try await Self.query(client, "ending", at: now + 1_000) == ["": "5"])
            #expect(try await Self.query(client, "ending", at: now + 3_000) == [:], "the staleness marker ends it within the lookback")
        }
    }

    @Test func storageRefusalsAnswer400AsRemoteWriteDoes() async throws {
        try await ServerHarness().test { client in
            let now = WallClock.nowMs() - 5_000
            let first = OTLPProtoEncoder().request(Self.request(nowMs: now))
            let earlier = OTLPProtoEncoder().request(Self.request(nowMs: now - 1_000))
            let headers = Self.headers("application/x-protobuf")
            #expect(try await client.execute(uri: "/v1/metrics", method: .post, headers: headers, body: ByteBuffer(bytes: first)).status == .ok)
            let refused = try await client.execute(uri: "/v1/metrics", method: .post, headers: headers, body: ByteBuffer(bytes: earlier))
            #expect(refused.status == .badRequest)
            #expect(String(buffer: refused.body).contains("out of order sample"))
        }
    }

    @Test func resourcesNamingAKnownHostCarryItsInventoryLabels() async throws {
        try await ServerHarness().test { client in
            #expect(try await upload(client, BatchCodec.encode(testBatch(sequence: 1))).status == .ok)
            let platforms = try await client.execute(uri: "/api/v1/resources?kind=platform", method: .get, headers: ServerHarness.adminBasic)
            let platform = try #require((platforms.data as? [[String: Any]])?.first?["id"] as? String)
            let now = WallClock.nowMs() - 5_000
            for (attribute, job) in [(OTLPAttribute("host.name", .string("HOST-M1")), "byname"), (OTLPAttribute("host.id", .string("m1")), "byid"),
                                     (OTLPAttribute("host.name", .string("elsewhere")), "unknown")] {
                let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(attributes: [OTLPAttribute("service.name", .string(job)), attribute],
                    metrics: [OTLPMetric(name: "joined", data: .gauge([OTLPNumberPoint(timeUnixNano: UInt64(now) * 1_000_000, value: 1)]))])])
                let response = try await client.execute(uri: "/v1/metrics", method: .post, headers: Self.headers("application/x-protobuf"),
                                                        body: ByteBuffer(bytes: OTLPProtoEncoder().request(request)))
                #expect(response.status == .ok)
            }
            let joined = try await Self.query(client, "joined", at: now)
            #expect(joined == [
                "job=byname,platform=\(platform),resource_id=\(platform),resource_kind=platform,resource_name=host-m1": "1",
                "job=byid,platform=\(platform),resource_id=\(platform),resource_kind=platform,resource_name=host-m1": "1",
                "job=unknown": "1",
            ], "joined series carry the platform's labels, and PromQL's cross-layer platform label with them")
            #expect(try await Self.query(client, "count(target_info)", at: now) == ["": "3"])
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
