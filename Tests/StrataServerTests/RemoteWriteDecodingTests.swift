import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// A minimal protobuf encoder for building `WriteRequest` bodies in tests.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }

    mutating func key(_ field: Int, _ wire: Int) { varint(UInt64(field << 3 | wire)) }

    mutating func message(_ field: Int, _ body: [UInt8]) {
        key(field, 2)
        varint(UInt64(body.count))
        bytes += body
    }

    mutating func string(_ field: Int, _ text: String) { message(field, Array(text.utf8)) }

    static func writeRequest(_ series: [(labels: [(String, String)], samples: [(Int64, Double)])]) -> [UInt8] {
        var request = ProtoWriter()
        for entry in series {
            var timeSeries = ProtoWriter()
            for (name, value) in entry.labels {
                var label = ProtoWriter()
                label.string(1, name)
                label.string(2, value)
                timeSeries.message(1, label.bytes)
            }
            for (timestamp, value) in entry.samples {
                var sample = ProtoWriter()
                sample.key(1, 1)
                withUnsafeBytes(of: value.bitPattern.littleEndian) { sample.bytes += $0 }
                sample.key(2, 0)
                sample.varint(UInt64(bitPattern: timestamp))
                timeSeries.message(2, sample.bytes)
            }
            request.message(1, timeSeries.bytes)
        }
        return request.bytes
    }
}

/// Decodes a `WriteRequest` body with a fresh resolver.
func decodeBatch(_ bytes: [UInt8], resolver: SeriesResolver = SeriesResolver()) throws -> (batch: SampleBatch, new: [SeriesResolver.Entry]) {
    var batch = SampleBatch()
    var newSeries: [SeriesResolver.Entry] = []
    try RemoteWriteRequest.decode(bytes, tenant: "default", resolver: resolver, into: &batch, newSeries: &newSeries)
    return (batch, newSeries)
}

@Test func writeRequestDecodesLabelsAndSamplesExactly() throws {
    let body = ProtoWriter.writeRequest([
        (labels: [("__name__", "node_load1"), ("instance", "a:9100")], samples: [(1_700_000_000_000, 0.5), (-5, .nan)]),
        (labels: [("__name__", "up")], samples: []),
    ])
    let decoded = try decodeBatch(try Snappy.decompress(Snappy.compress(body), limit: 1 << 20))
    let labels: Labels = ["__name__": "node_load1", "instance": "a:9100"]
    let id = RemoteWriteRequest.seriesID(tenant: "default", labels: labels)
    #expect(decoded.batch.seriesIDs == [id, id], "a series without samples adds nothing")
    #expect(decoded.batch.timestamps == [1_700_000_000_000, -5])
    #expect(decoded.batch.values[0] == 0.5 && decoded.batch.values[1].isNaN)
    #expect(decoded.batch.labels == [id: labels.setting(Labels.tenant, "default")], "the tenant is an internal label")
    #expect(decoded.new.count == 1)
}

@Test func knownSeriesResolveFromTheirBytesWhateverTheLabelOrder() throws {
    let resolver = SeriesResolver()
    let first = try decodeBatch(ProtoWriter.writeRequest([(labels: [("b", "2"), ("a", "1")], samples: [(1, 1)])]), resolver: resolver)
    let unremembered = try decodeBatch(ProtoWriter.writeRequest([(labels: [("b", "2"), ("a", "1")], samples: [(2, 2)])]), resolver: resolver)
    #expect(unremembered.new.count == 1, "until its append succeeds, a series stays new")
    resolver.remember(first.new)
    let again = try decodeBatch(ProtoWriter.writeRequest([(labels: [("b", "2"), ("a", "1")], samples: [(2, 2)])]), resolver: resolver)
    #expect(again.new.isEmpty, "a remembered series resolves from its bytes")
    #expect(again.batch.labels.isEmpty)
    let reordered = try decodeBatch(ProtoWriter.writeRequest([(labels: [("a", "1"), ("b", "2")], samples: [(3, 3)])]), resolver: resolver)
    #expect(reordered.batch.seriesIDs == first.batch.seriesIDs, "labels in another order are the same series")
}

@Test func unknownFieldsAndMetadataAreSkipped() throws {
    var request = ProtoWriter()
    request.message(3, [0x08, 0x01])          // MetricMetadata
    request.key(9, 0); request.varint(42)      // unknown varint field
    request.key(10, 5); request.bytes += [1, 2, 3, 4]
    #expect(try decodeBatch(request.bytes).batch.isEmpty)
}

/// Why `Snappy.decompress` refused `input`, or nil when it decoded.
func snappyFailure(_ input: [UInt8], limit: Int) -> Snappy.Failure? {
    do {
        _ = try Snappy.decompress(input, limit: limit)
        return nil
    } catch {
        return error
    }
}

/// Whether `failure` calls the body corrupt (400 "snappy: corrupt input", as Prometheus answers).
func isCorrupt(_ failure: Snappy.Failure?) -> Bool {
    if case .corrupt = failure { return true }
    return false
}

@Test func corruptBodiesGivePrometheusMessages() throws {
    let good = ProtoWriter.writeRequest([(labels: [("__name__", "x")], samples: [(1, 1)])])
    #expect(isCorrupt(snappyFailure(good, limit: 1 << 20)))
    #expect(isCorrupt(snappyFailure(Array("\u{ff}\u{fe}\u{fd} garbage".utf8), limit: 1 << 20)))
    #expect(isCorrupt(snappyFailure([], limit: 1 << 20)))
    #expect(snappyFailure(Snappy.compress([]), limit: 10) == nil)
    #expect(snappyFailure(Snappy.compress([UInt8](repeating: 1, count: 100)), limit: 10)?.description
            == "request body decodes to more than 10 bytes", "a valid body over the limit is too large, not corrupt")
    #expect(throws: RemoteWriteRequest.DecodeError(description: "proto: illegal wireType 7")) {
        _ = try decodeBatch([0xff, 0xff, 0xff, 0xff, 0x0f] + Array(" garbage".utf8))
    }
    for length in 0..<good.count {
        _ = try? decodeBatch(Array(good[0..<length]))
    }
    #expect(throws: RemoteWriteRequest.DecodeError.self) { try decodeBatch(Array(good.dropLast())) }
}

@Test func labelsInterleavedWithSamplesResolveToTheSameSeries() throws {
    func label(_ name: String, _ value: String) -> [UInt8] {
        var message = ProtoWriter()
        message.string(1, name)
        message.string(2, value)
        return message.bytes
    }
    func sample(_ timestamp: Int64, _ value: Double) -> [UInt8] {
        var message = ProtoWriter()
        message.key(1, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { message.bytes += $0 }
        message.key(2, 0)
        message.varint(UInt64(bitPattern: timestamp))
        return message.bytes
    }
    // label, sample, label, sample: the label bytes are not contiguous and must be gathered.
    var series = ProtoWriter()
    series.message(1, label("__name__", "up"))
    series.message(2, sample(1, 1))
    series.message(1, label("job", "x"))
    series.message(2, sample(2, 2))
    var request = ProtoWriter()
    request.message(1, series.bytes)
    let resolver = SeriesResolver()
    let interleaved = try decodeBatch(request.bytes, resolver: resolver)
    let expected = RemoteWriteRequest.seriesID(tenant: "default", labels: ["__name__": "up", "job": "x"])
    #expect(interleaved.batch.seriesIDs == [expected, expected])
    resolver.remember(interleaved.new)
    let contiguous = try decodeBatch(ProtoWriter.writeRequest([(labels: [("__name__", "up"), ("job", "x")], samples: [(3, 3)])]), resolver: resolver)
    #expect(contiguous.batch.seriesIDs == [expected], "gathered and in-place label bytes are the same bytes")
    #expect(contiguous.new.isEmpty)
}

/// A request of one sample at `timestamp` for each of series `range`: `node_cpu_seconds_total` of 64 CPUs a host.
func cpuSeriesRequest(_ range: Range<Int>, at timestamp: Int64) -> [UInt8] {
    ProtoWriter.writeRequest(range.map { index in
        (labels: [("__name__", "node_cpu_seconds_total"), ("cpu", "\(index % 64)"), ("instance", "host-\(index / 64):9100")],
         samples: [(timestamp, Double(index))])
    })
}

@Test func manySeriesResolveFromSnapshotAndPendingWithTheEnginesRefsAndTheSameIDs() throws {
    let resolver = SeriesResolver()
    // 3,000 series remembered in requests of 500, each with a ref as the engine would hand out.
    var expected: [StableID] = []
    var refs: [StableID: SeriesRef] = [:]
    for start in stride(from: 0, to: 3_000, by: 500) {
        let first = try decodeBatch(cpuSeriesRequest(start..<start + 500, at: 1), resolver: resolver)
        #expect(first.new.count == 500)
        #expect(first.batch.hints.allSatisfy { $0 == .none }, "a first-seen series has no hint")
        for entry in first.new { refs[entry.id] = SeriesRef(rawValue: UInt32(refs.count + 1)) }
        resolver.remember(first.new, refs: refs)
        expected += first.batch.seriesIDs
    }
    // One more series stays in the pending table (too few to merge yet) and still resolves.
    let late = try decodeBatch(cpuSeriesRequest(3_000..<3_001, at: 1), resolver: resolver)
    refs[late.new[0].id] = SeriesRef(rawValue: 9_999)
    resolver.remember(late.new, refs: refs)
    expected += late.batch.seriesIDs

    let again = try decodeBatch(cpuSeriesRequest(0..<3_001, at: 2), resolver: resolver)
    #expect(again.new.isEmpty, "every remembered series resolves from its bytes")
    #expect(again.batch.seriesIDs == expected)
    #expect(again.batch.hints == expected.map { refs[$0]! }, "each sample carries its series' ref")
    #expect(again.batch.seriesIDs[0] == RemoteWriteRequest.seriesID(tenant: "default", labels: [
        "__name__": "node_cpu_seconds_total", "cpu": "0", "instance": "host-0:9100",
    ]))
    // Another tenant's identical bytes are another series.
    var batch = SampleBatch()
    var fresh: [SeriesResolver.Entry] = []
    try RemoteWriteRequest.decode(cpuSeriesRequest(0..<1, at: 3), tenant: "other", resolver: resolver, into: &batch, newSeries: &fresh)
    #expect(fresh.count == 1 && batch.seriesIDs[0] != expected[0])
}

@Test func theResolverStartsOverPastItsCapacityAndStillResolvesCorrectly() throws {
    let resolver = SeriesResolver(capacity: 100)
    let body = { (name: String) in ProtoWriter.writeRequest((0..<60).map { (labels: [("__name__", name), ("i", "\($0)")], samples: [(1, 1)]) }) }
    let first = try decodeBatch(body("a"), resolver: resolver)
    resolver.remember(first.new)
    #expect(try decodeBatch(body("a"), resolver: resolver).new.isEmpty)
    let second = try decodeBatch(body("b"), resolver: resolver)
    resolver.remember(second.new) // 120 > 100: the resolver forgets and keeps only these
    let a = try decodeBatch(body("a"), resolver: resolver)
    #expect(a.new.count == 60, "forgotten series take the slow path again")
    #expect(a.batch.seriesIDs == first.batch.seriesIDs, "and get the same ids")
    #expect(try decodeBatch(body("b"), resolver: resolver).new.isEmpty)
}

@Test func metricMetadataIsDecodedWithItsFamilysType() throws {
    var request = ProtoWriter()
    var histogram = ProtoWriter()
    histogram.key(1, 0); histogram.varint(3)
    histogram.string(2, "request_seconds")
    histogram.string(4, "Request latency.")
    histogram.string(5, "seconds")
    request.message(3, histogram.bytes)
    var unknown = ProtoWriter()
    unknown.key(1, 0); unknown.varint(7)      // STATESET: a gauge here
    unknown.string(2, "feature_state")
    request.message(3, unknown.bytes)
    request.message(3, [0x08, 0x01])          // a counter without a family name: dropped
    var batch = SampleBatch()
    var newSeries: [SeriesResolver.Entry] = []
    var metadata: [MetricMetadata] = []
    try RemoteWriteRequest.decode(request.bytes, tenant: "default", resolver: SeriesResolver(), into: &batch, newSeries: &newSeries, metadata: &metadata)
    #expect(metadata == [MetricMetadata(family: "request_seconds", type: .histogram, help: "Request latency.", unit: "seconds"),
                         MetricMetadata(family: "feature_state", type: .gauge)])
    #expect(batch.isEmpty)
}
