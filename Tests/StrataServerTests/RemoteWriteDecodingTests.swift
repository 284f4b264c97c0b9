import StrataCore
import Testing
@testable import StrataServer

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

@Test func writeRequestDecodesLabelsAndSamplesExactly() throws {
    let body = ProtoWriter.writeRequest([
        (labels: [("__name__", "node_load1"), ("instance", "a:9100")], samples: [(1_700_000_000_000, 0.5), (-5, .nan)]),
        (labels: [("__name__", "up")], samples: []),
    ])
    let decoded = try RemoteWriteRequest.decode(try Snappy.decompress(Snappy.compress(body), limit: 1 << 20))
    #expect(decoded.series.count == 2)
    #expect(decoded.series[0].labels == [Label("__name__", "node_load1"), Label("instance", "a:9100")])
    #expect(decoded.series[0].samples == [Sample(1_700_000_000_000, 0.5), Sample(-5, .nan)])
    #expect(decoded.series[1].samples.isEmpty)
}

@Test func unknownFieldsAndMetadataAreSkipped() throws {
    var request = ProtoWriter()
    request.message(3, [0x08, 0x01])          // MetricMetadata
    request.key(9, 0); request.varint(42)      // unknown varint field
    request.key(10, 5); request.bytes += [1, 2, 3, 4]
    #expect(try RemoteWriteRequest.decode(request.bytes).series.isEmpty)
}

@Test func corruptBodiesGivePrometheusMessages() throws {
    let good = ProtoWriter.writeRequest([(labels: [("__name__", "x")], samples: [(1, 1)])])
    #expect(throws: Snappy.CorruptInput.self) { try Snappy.decompress(good, limit: 1 << 20) }
    #expect(throws: Snappy.CorruptInput.self) { try Snappy.decompress(Array("\u{ff}\u{fe}\u{fd} garbage".utf8), limit: 1 << 20) }
    #expect(throws: Snappy.CorruptInput.self) { try Snappy.decompress([], limit: 1 << 20) }
    #expect(try Snappy.decompress(Snappy.compress([]), limit: 10) == [])
    #expect(throws: Snappy.CorruptInput.self) { try Snappy.decompress(Snappy.compress([UInt8](repeating: 1, count: 100)), limit: 10) }
    #expect(throws: RemoteWriteRequest.DecodeError(description: "proto: illegal wireType 7")) {
        try RemoteWriteRequest.decode([0xff, 0xff, 0xff, 0xff, 0x0f] + Array(" garbage".utf8))
    }
    for length in 0..<good.count {
        _ = try? RemoteWriteRequest.decode(Array(good[0..<length]))
    }
    #expect(throws: RemoteWriteRequest.DecodeError.self) { try RemoteWriteRequest.decode(Array(good.dropLast())) }
}
