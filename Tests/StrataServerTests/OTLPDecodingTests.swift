import Foundation
import StrataCore
import Testing
@testable import StrataWire

/// A request with one metric of every kind, every attribute value type, and a stale point.
let otlpSample = OTLPMetricsRequest(resources: [
    OTLPResourceMetrics(attributes: [
        OTLPAttribute("service.name", .string("checkout")), OTLPAttribute("service.instance.id", .string("pod-1")),
        OTLPAttribute("host.name", .string("web-1")), OTLPAttribute("replicas", .int(-3)), OTLPAttribute("weight", .double(0.25)),
        OTLPAttribute("canary", .bool(true)), OTLPAttribute("blob", .bytes([1, 2, 255])),
        OTLPAttribute("tags", .array([.string("a"), .int(1)])), OTLPAttribute("build", .keyValues([OTLPAttribute("rev", .string("x"))])),
    ], metrics: [
        OTLPMetric(name: "queue.depth", unit: "{items}", data: .gauge([
            OTLPNumberPoint(attributes: [OTLPAttribute("queue", .string("q1"))], timeUnixNano: 1_700_000_000_000_000_000, value: 7),
            OTLPNumberPoint(attributes: [OTLPAttribute("queue", .string("q1"))], timeUnixNano: 1_700_000_010_000_000_000, value: 7.5),
            OTLPNumberPoint(attributes: [OTLPAttribute("queue", .string("q2"))], timeUnixNano: 1_700_000_010_000_000_000, value: 0,
                            flags: OTLPFlags.noRecordedValue),
        ])),
        OTLPMetric(name: "http.requests", description: "Requests served", unit: "1", data: .sum([
            OTLPNumberPoint(timeUnixNano: 1_700_000_010_000_000_000, value: 42),
        ], temporality: .cumulative, monotonic: true)),
        OTLPMetric(name: "http.server.duration", unit: "ms", data: .histogram([
            OTLPHistogramPoint(timeUnixNano: 1_700_000_010_000_000_000, count: 6, sum: 123.5, bucketCounts: [1, 2, 3], bounds: [10, 100]),
        ], temporality: .cumulative)),
        OTLPMetric(name: "latency", unit: "s", data: .exponentialHistogram([
            OTLPExponentialHistogramPoint(timeUnixNano: 1_700_000_010_000_000_000, count: 5, sum: 9, scale: 0, zeroCount: 1,
                                          positive: OTLPExponentialBuckets(offset: 0, counts: [1, 2]),
                                          negative: OTLPExponentialBuckets(offset: 1, counts: [1])),
        ], temporality: .cumulative)),
        OTLPMetric(name: "rpc.latency", data: .summary([
            OTLPSummaryPoint(timeUnixNano: 1_700_000_010_000_000_000, count: 10, sum: 20,
                             quantiles: [OTLPQuantile(quantile: 0.5, value: 1.5), OTLPQuantile(quantile: 0.99, value: .nan)]),
        ])),
    ]),
])

extension OTLPMetricsRequest {
    /// Equality that treats NaN values as equal (the model's `==` follows IEEE).
    func sameAs(_ other: OTLPMetricsRequest) -> Bool { "\(self)" == "\(other)" }
}

@Test func protobufRequestDecodesToTheModelItWasEncodedFrom() throws {
    for packed in [true, false] {
        let bytes = OTLPProtoEncoder(packed: packed).request(otlpSample)
        let decoded = try OTLPProtobuf.decode(bytes)
        #expect(decoded.sameAs(otlpSample), "packed: \(packed)")
    }
}

@Test func protobufDecoderSkipsUnknownFieldsAndReadsDoubleValues() throws {
    var point = ProtoWriter()
    point.fixed64(3, 5_000_000)
    point.fixed64(4, 2.5.bitPattern)
    point.key(99, 0); point.varint(7) // unknown field
    var gauge = ProtoWriter()
    gauge.message(1, point.bytes)
    var metric = ProtoWriter()
    metric.string(1, "m")
    metric.message(12, [0x0a, 0]) // metadata (newer proto), skipped
    metric.message(5, gauge.bytes)
    var scope = ProtoWriter()
    scope.message(2, metric.bytes)
    var resource = ProtoWriter()
    resource.message(2, scope.bytes)
    resource.string(3, "https://opentelemetry.io/schemas/1.21.0")
    var request = ProtoWriter()
    request.message(1, resource.bytes)
    let decoded = try OTLPProtobuf.decode(request.bytes)
    #expect(decoded.resources.first?.metrics.first?.data == .gauge([OTLPNumberPoint(timeUnixNano: 5_000_000, value: 2.5)]))
}

@Test func protobufDecoderRefusesTruncatedAndMalformedBodies() {
    let good = OTLPProtoEncoder().request(otlpSample)
    for cut in [1, 7, good.count / 2, good.count - 1] {
        #expect(throws: OTLPDecodeError.self, "cut at \(cut)") { try OTLPProtobuf.decode(Array(good.prefix(cut))) }
    }
    #expect(throws: OTLPDecodeError.self) { try OTLPProtobuf.decode([0xff, 0xff, 0xff, 0xff, 0x0f]) }
    #expect(throws: OTLPDecodeError.self) { try OTLPProtobuf.decode(Array("{\"resourceMetrics\":[]}".utf8)) }
    // A packed fixed64 field whose length is not a multiple of 8.
    var histogram = ProtoWriter()
    histogram.message(6, [1, 2, 3])
    var data = ProtoWriter()
    data.message(1, histogram.bytes)
    var metric = ProtoWriter()
    metric.message(9, data.bytes)
    var scope = ProtoWriter()
    scope.message(2, metric.bytes)
    var resource = ProtoWriter()
    resource.message(2, scope.bytes)
    var request = ProtoWriter()
    request.message(1, resource.bytes)
    #expect(throws: OTLPDecodeError.self) { try OTLPProtobuf.decode(request.bytes) }
}

@Test func deeplyNestedAttributeValuesAreRefusedNotRecursedInto() {
    var value = OTLPValue.string("leaf")
    for _ in 0..<(OTLPLimits.maxValueDepth + 2) { value = .array([value]) }
    let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(attributes: [OTLPAttribute("deep", value)])])
    #expect(throws: OTLPDecodeError.self) { try OTLPProtobuf.decode(OTLPProtoEncoder().request(request)) }
    var json = "{\"resourceMetrics\":[{\"resource\":{\"attributes\":[{\"key\":\"deep\",\"value\":"
    for _ in 0..<20 { json += "{\"arrayValue\":{\"values\":[" }
    json += "{\"stringValue\":\"x\"}" + String(repeating: "]}}", count: 20) + "}]}}]}"
    #expect(throws: OTLPDecodeError.self) { try OTLPJSON.decode(Array(json.utf8)) }
}

@Test func randomAndMutatedBodiesNeverTrapEitherDecoder() {
    var generator = SplitMix(seed: 21)
    let good = OTLPProtoEncoder().request(otlpSample)
    for round in 0..<3_000 {
        var bytes: [UInt8]
        if round % 2 == 0 {
            bytes = good
            for _ in 0..<(1 + Int(generator.next() % 8)) {
                bytes[Int(generator.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
        } else {
            bytes = (0..<Int(generator.next() % 200)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        if let request = try? OTLPProtobuf.decode(bytes) { _ = OTLPTranslator().translate(request) }
        if let request = try? OTLPJSON.decode(bytes) { _ = OTLPTranslator().translate(request) }
    }
}

/// A deterministic generator for the mutation test.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Test func jsonBodyAsTheOTLPJSONMappingWritesItDecodes() throws {
    let json = """
    {"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}},
      {"key":"pid","value":{"intValue":"4242"}},{"key":"blob","value":{"bytesValue":"AQL/"}}]},
     "scopeMetrics":[{"scope":{"name":"x"},"metrics":[
      {"name":"jobs","unit":"1","sum":{"aggregationTemporality":2,"isMonotonic":true,
        "dataPoints":[{"asInt":"17","timeUnixNano":"1700000000000000000","attributes":[{"key":"kind","value":{"stringValue":"a"}}]}]}},
      {"name":"temp","gauge":{"dataPoints":[{"asDouble":"NaN","timeUnixNano":1700000000000000000}]}},
      {"name":"size","histogram":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE",
        "dataPoints":[{"timeUnixNano":"1700000000000000000","count":"3","sum":4.5,"bucketCounts":["1",2],"explicitBounds":[1.5],"flags":1}]}},
      {"name":"snake","gauge":{"data_points":[{"as_double":1.25,"time_unix_nano":"1700000000000000000"}]}}
     ]}]}]}
    """
    let request = try OTLPJSON.decode(Array(json.utf8))
    let resource = try #require(request.resources.first)
    #expect(resource.attributes == [OTLPAttribute("service.name", .string("api")), OTLPAttribute("pid", .int(4242)),
                                    OTLPAttribute("blob", .bytes([1, 2, 255]))])
    #expect(resource.metrics[0].data == .sum([OTLPNumberPoint(attributes: [OTLPAttribute("kind", .string("a"))],
                                                              timeUnixNano: 1_700_000_000_000_000_000, value: 17)],
                                             temporality: .cumulative, monotonic: true))
    guard case .gauge(let temperature) = resource.metrics[1].data else { Issue.record("not a gauge"); return }
    #expect(temperature.first?.value.isNaN == true)
    var histogram = OTLPHistogramPoint(timeUnixNano: 1_700_000_000_000_000_000, count: 3, sum: 4.5, bucketCounts: [1, 2], bounds: [1.5])
    histogram.flags = 1
    #expect(resource.metrics[2].data == .histogram([histogram], temporality: .cumulative))
    #expect(resource.metrics[3].data == .gauge([OTLPNumberPoint(timeUnixNano: 1_700_000_000_000_000_000, value: 1.25)]))
}

@Test func jsonBodiesOfTheWrongShapeAreRefusedWithTheFieldNamed() {
    let cases: [(String, String)] = [
        ("[]", "expected an object"),
        ("{\"resourceMetrics\":{}}", "resourceMetrics"),
        ("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":5}]}]}]}", "name"),
        ("{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"x\",\"gauge\":{\"dataPoints\":[{\"timeUnixNano\":\"soon\"}]}}]}]}]}",
         "timeUnixNano"),
        ("{\"resourceMetrics\":[", "invalid OTLP/JSON"),
        ("", "invalid OTLP/JSON"),
    ]
    for (body, mention) in cases {
        do {
            _ = try OTLPJSON.decode(Array(body.utf8))
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.description.contains(mention), "\(body): \(error.description)")
        }
    }
    #expect((try? OTLPJSON.decode([0xff, 0xfe])) == nil, "not UTF-8")
}

@Test func responsesEncodePartialSuccessInTheRequestsEncoding() {
    #expect(OTLPResponse.export(rejectedPoints: 0, message: "", encoding: .protobuf) == [])
    #expect(String(decoding: OTLPResponse.export(rejectedPoints: 0, message: "", encoding: .json), as: UTF8.self) == "{}")
    #expect(OTLPResponse.export(rejectedPoints: 3, message: "no", encoding: .protobuf) == [0x0a, 6, 0x08, 3, 0x12, 2, 0x6e, 0x6f])
    #expect(String(decoding: OTLPResponse.export(rejectedPoints: 3, message: "no \"x\"", encoding: .json), as: UTF8.self)
            == "{\"partialSuccess\":{\"rejectedDataPoints\":\"3\",\"errorMessage\":\"no \\\"x\\\"\"}}")
    #expect(OTLPResponse.status(code: 3, message: "bad", encoding: .protobuf) == [0x08, 3, 0x12, 3] + Array("bad".utf8))
}

/// The fuzz seeds were written by Google's protobuf library from opentelemetry-proto (`request.pb`) and by its
/// JSON printer (`request.json`): both decode to the same request, and it maps as expected.
@Test func bodiesWrittenByTheOfficialProtobufLibraryDecodeAlikeInBothEncodings() throws {
    let seeds = String(#filePath.dropLast("Tests/StrataServerTests/OTLPDecodingTests.swift".count)) + "Fuzz/fuzz-otlp/seeds/"
    let protobuf = try OTLPProtobuf.decode(Array(try Data(contentsOf: URL(fileURLWithPath: seeds + "request.pb"))))
    let json = try OTLPJSON.decode(Array(try Data(contentsOf: URL(fileURLWithPath: seeds + "request.json"))))
    #expect(protobuf.sameAs(json))
    let series = OTLPTranslator().translate(protobuf).series
    func value(_ name: String, _ extra: [String: String] = [:]) -> Double? {
        series.first { item in item.labels[Labels.metricName] == name && extra.allSatisfy { item.labels[$0.key] == $0.value } }?.samples.first?.value
    }
    #expect(value("g_bytes", ["k": "3", "job": "seed"]) == 1.5)
    #expect(value("s_total") == 7)
    #expect(value("h_milliseconds_bucket", ["le": "2"]) == 2)
    // Scale -1: base 4; positive buckets -2 and -1 are (1/16, 1/4] and (1/4, 1].
    #expect(value("e_bucket", ["le": "0"]) == 1)
    #expect(value("e_bucket", ["le": "0.25"]) == 2)
    #expect(value("e_bucket", ["le": "1"]) == 4)
    #expect(value("q_count").map(Sample.isStaleMarker) == true, "flags 1 (no recorded value)")
}
