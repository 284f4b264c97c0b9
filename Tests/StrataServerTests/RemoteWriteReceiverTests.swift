import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// The cases of the benchmark kit's `rw_probe.py`, in its order, with what Prometheus 2.42 answered
/// (`probe-prometheus-2.42.jsonl`). One deliberate deviation: a duplicate label name is 400 here, 500 there.
@Test func receiverAnswersTheProbeCasesAsPrometheus242() async throws {
    let harness = try ServerHarness()
    let engine = harness.server.store
    try await harness.test { client in
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let lab = [("__name__", "probe_metric"), ("job", "probe"), ("instance", "x")]
        func body(_ series: [(labels: [(String, String)], samples: [(Int64, Double)])]) -> [UInt8] {
            Snappy.compress(ProtoWriter.writeRequest(series))
        }
        let good = ProtoWriter.writeRequest([(labels: lab, samples: [(now - 20_000, 1), (now - 10_000, 2)])])
        var metadata = ProtoWriter()
        metadata.message(3, [0x08, 0x01] + [0x12, 16] + Array("probe_meta_total".utf8))
        let cases: [(name: String, body: [UInt8]?, method: HTTPRequest.Method, status: Int, text: String)] = [
            ("good", Snappy.compress(good), .post, 204, ""),
            ("good, no headers", body([(labels: lab + [("k", "2")], samples: [(now, 1)])]), .post, 204, ""),
            ("duplicate resend", Snappy.compress(good), .post, 400, "out of order sample\n"),
            ("same ts, different value", body([(labels: lab, samples: [(now - 10_000, 5)])]), .post, 400, "duplicate sample for timestamp\n"),
            ("out of order", body([(labels: lab, samples: [(now - 15_000, 1.5)])]), .post, 400, "out of order sample\n"),
            ("too old", body([(labels: lab + [("k", "old")], samples: [(now - 3 * 3_600_000, 1)])]), .post, 400, "out of bounds\n"),
            ("uncompressed protobuf", good, .post, 400, "snappy: corrupt input\n"),
            ("garbage snappy", [0xff, 0xfe, 0xfd] + Array(" garbage".utf8), .post, 400, "snappy: corrupt input\n"),
            ("snappy of garbage protobuf", Snappy.compress([0xff, 0xff, 0xff, 0xff, 0x0f] + Array(" garbage".utf8)), .post, 400,
             "proto: illegal wireType 7\n"),
            ("empty body", [], .post, 400, "snappy: corrupt input\n"),
            ("empty WriteRequest", Snappy.compress([]), .post, 204, ""),
            ("series without __name__", body([(labels: [("job", "probe"), ("a", "b")], samples: [(now, 1)])]), .post, 204, ""),
            ("unsorted labels", body([(labels: [("zz", "1"), ("__name__", "probe_unsorted"), ("aa", "2")], samples: [(now, 1)])]), .post, 204, ""),
            ("duplicate label name", body([(labels: [("__name__", "probe_dup"), ("a", "1"), ("a", "2")], samples: [(now, 1)])]), .post, 400,
             "label name \"a\" is not unique: invalid sample\n"),
            ("empty label value", body([(labels: [("__name__", "probe_emptyval"), ("a", "")], samples: [(now, 1)])]), .post, 204, ""),
            ("exact duplicate of last sample", body([(labels: lab, samples: [(now - 10_000, 2)])]), .post, 204, ""),
            ("mixed valid + out of order", body([(labels: [("__name__", "probe_partial"), ("job", "probe")], samples: [(now, 7)]),
                                                 (labels: lab, samples: [(now - 15_000, 1.5)])]), .post, 400, "out of order sample\n"),
            ("metadata-only WriteRequest", Snappy.compress(metadata.bytes), .post, 204, ""),
            ("GET", nil, .get, 405, "Method Not Allowed\n"),
            ("PUT", Snappy.compress(good), .put, 405, "Method Not Allowed\n"),
            ("far future (+1h)", body([(labels: lab + [("k", "fut")], samples: [(now + 3_600_000, 1)])]), .post, 400, "too far in the future\n"),
        ]
        for probe in cases {
            let response = try await client.execute(uri: "/api/v1/write", method: probe.method, headers: ServerHarness.adminBasic,
                                                    body: probe.body.map { ByteBuffer(bytes: $0) })
            #expect(Int(response.status.code) == probe.status, "\(probe.name)")
            #expect(String(buffer: response.body) == probe.text, "\(probe.name)")
            if probe.status >= 400 {
                #expect(response.headers[.contentType] == "text/plain; charset=utf-8", "\(probe.name)")
            }
        }
        let partial = RemoteWriteRequest.seriesID(tenant: "default", labels: ["__name__": "probe_partial", "job": "probe"])
        let partialSamples = try await engine.samples(series: partial, fromMs: .min, toMs: .max)
        #expect(partialSamples.isEmpty, "the valid series of a rejected request is not stored")
        let retried = try await client.execute(uri: "/api/v1/write", method: .post, headers: ServerHarness.adminBasic,
                                               body: ByteBuffer(bytes: body([(labels: [("__name__", "probe_partial"), ("job", "probe")], samples: [(now, 7)])])))
        #expect(retried.status == .noContent)
        let partialLabels = await engine.labels(of: partial)
        #expect(partialLabels?.visible == ["__name__": "probe_partial", "job": "probe"], "first seen in a rejected request, labels still registered")
        let metric = RemoteWriteRequest.seriesID(tenant: "default", labels: Labels(lab.map { Label($0.0, $0.1) }))
        let metricSamples = try await engine.samples(series: metric, fromMs: .min, toMs: .max)
        #expect(metricSamples.map(\.value) == [1, 2])
    }
}

@Test func receiverRequiresCredentialsOnBothPaths() async throws {
    try await ServerHarness().test { client in
        for path in ["/api/v1/write", "/prometheus/api/v1/write"] {
            let response = try await client.execute(uri: path, method: .post, body: ByteBuffer(bytes: Snappy.compress([])))
            #expect(response.status == .unauthorized, "\(path)")
            let allowed = try await client.execute(uri: path, method: .post, headers: ServerHarness.adminBasic,
                                                   body: ByteBuffer(bytes: Snappy.compress([])))
            #expect(allowed.status == .noContent, "\(path)")
        }
    }
}

/// A valid body that decodes past the limit (8 × the body limit) is 413 with its reason, not 400 "corrupt input";
/// and a series naming Strata's reserved `__tenant__` label is 400 naming it. Before, such a series was stored
/// beside the same series without it, both then shown with equal labels, so `xt + 0` failed with "vector cannot
/// contain metrics with the same labelset".
@Test func anOverlargeDecodedBodyIs413AndTheReservedTenantLabelIs400() async throws {
    let harness = try ServerHarness { $0.maxRemoteWriteBytes = 1 << 16 }
    try await harness.test { client in
        let zeros = Snappy.compress([UInt8](repeating: 0, count: (8 << 16) + 1))
        let large = try await client.execute(uri: "/api/v1/write", method: .post, headers: ServerHarness.adminBasic,
                                             body: ByteBuffer(bytes: zeros))
        #expect(large.status == .contentTooLarge)
        #expect(String(buffer: large.body) == "request body decodes to more than \(8 << 16) bytes\n")

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        func write(_ labels: [(String, String)], _ value: Double) async throws -> (Int, String) {
            let body = Snappy.compress(ProtoWriter.writeRequest([(labels: labels, samples: [(now, value)])]))
            let response = try await client.execute(uri: "/api/v1/write", method: .post, headers: ServerHarness.adminBasic,
                                                    body: ByteBuffer(bytes: body))
            return (Int(response.status.code), String(buffer: response.body))
        }
        #expect(try await write([("__name__", "xt"), ("k", "v")], 7).0 == 204)
        for tenant in ["default", "other"] {
            let (status, text) = try await write([("__name__", "xt"), ("__tenant__", tenant), ("k", "v")], 6)
            #expect(status == 400)
            #expect(text.hasPrefix("label name \"__tenant__\" is reserved"))
        }
        let series = try await harness.server.store.select([try LabelMatcher("__name__", .equal, "xt")])
        #expect(series.count == 1, "one series xt{k=\"v\"}")
    }
}
