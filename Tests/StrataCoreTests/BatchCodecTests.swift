import Testing
@testable import StrataCore

func sampleBatch(sequence: UInt64 = 7, points: Int = 3) -> AgentBatch {
    AgentBatch(
        agentID: "agent-1", sequence: sequence, createdAtMs: 1_700_000_000_000, intervalMs: 10_000, agentVersion: "0.1.0",
        resources: [
            ResourceReport(kind: .platform, key: "machine-id:abc", name: "host1",
                           properties: .map([("hostname", .string("host1")), ("cores", .int(4)), ("ratio", .double(0.5)),
                                             ("virtual", .bool(true)), ("nics", .list([.map([("mac", .string("52:54:00:00:00:01"))])]))])),
            ResourceReport(kind: .server, key: "nginx:/usr/sbin/nginx", name: "nginx", parentIndex: 0),
        ],
        series: [
            SeriesPoints(resourceIndex: 0, metric: "cpu_seconds_total", type: .counter, labels: ["mode": "idle"],
                         points: (0..<points).map { Sample(1_700_000_000_000 + Int64($0) * 10_000, Double($0) * 1.5) }),
            SeriesPoints(resourceIndex: 1, metric: "memory_used_bytes", type: .gauge, labels: [:],
                         points: [Sample(1_700_000_000_000, .nan), Sample(1_699_999_999_000, -0.0)]),
        ])
}

@Test func batchRoundTripsThroughBothCompressions() throws {
    let batch = sampleBatch()
    for compression in [BatchCodec.Compression.none, .zlib] {
        let decoded = try BatchCodec.decode(BatchCodec.encode(batch, compression: compression))
        #expect(decoded == batch)
    }
}

@Test func compressedBatchIsSmallerThanRaw() {
    let batch = sampleBatch(points: 500)
    #expect(BatchCodec.encode(batch, compression: .zlib).count < BatchCodec.encode(batch, compression: .none).count / 2)
}

@Test func everyTruncationIsRejectedWithoutTrapping() {
    let body = BatchCodec.encode(sampleBatch(), compression: .none)
    for length in 0..<body.count {
        #expect(throws: DecodeError.self) { try BatchCodec.decode(Array(body[0..<length])) }
    }
    let compressed = BatchCodec.encode(sampleBatch(), compression: .zlib)
    for length in 0..<compressed.count {
        #expect(throws: DecodeError.self) { try BatchCodec.decode(Array(compressed[0..<length])) }
    }
}

@Test func flippedBytesNeverTrap() throws {
    let body = BatchCodec.encode(sampleBatch(), compression: .none)
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        var corrupt = body
        let index = Int.random(in: 6..<corrupt.count, using: &generator)
        corrupt[index] ^= UInt8.random(in: 1...255, using: &generator)
        _ = try? BatchCodec.decode(corrupt)
    }
}

@Test func wrongMagicVersionAndCompressionAreNamed() {
    var body = BatchCodec.encode(sampleBatch())
    body[0] = 0x50
    #expect(throws: DecodeError.invalidValue(field: "magic", reason: "body does not start with STRA; is this a Strata agent batch?")) {
        try BatchCodec.decode(body)
    }
    body = BatchCodec.encode(sampleBatch())
    body[4] = 9
    #expect(throws: DecodeError.invalidValue(field: "version", reason: "protocol version 9 is not supported; this server speaks 1 and 2")) {
        try BatchCodec.decode(body)
    }
    body = BatchCodec.encode(sampleBatch())
    body[5] = 7
    #expect(throws: DecodeError.invalidValue(field: "compression", reason: "unknown compression 7")) { try BatchCodec.decode(body) }
}

@Test func trailingBytesAreRejected() {
    let body = BatchCodec.encode(sampleBatch(), compression: .none) + [0]
    #expect(throws: DecodeError.trailingBytes(count: 1)) { try BatchCodec.decode(body) }
}

@Test func forgedCountsCannotForceHugeAllocations() {
    var writer = BinaryWriter()
    writer.write(string: "agent")
    writer.write(uvarint: 1)
    writer.write(varint: 0)
    writer.write(uvarint: 10_000)
    writer.write(string: "v")
    writer.write(uvarint: UInt64.max >> 1)
    let body = BatchCodec.magic + [1, 0] + writer.bytes
    #expect(throws: DecodeError.self) { try BatchCodec.decode(body) }
}

@Test func compressionBombIsRefused() {
    let huge = [UInt8](repeating: 0, count: BatchCodec.maxPayloadBytes + 1024)
    let body = BatchCodec.magic + [1, 1] + Zlib.compress(huge)
    #expect(body.count < 200_000)
    #expect(throws: DecodeError.self) { try BatchCodec.decode(body) }
}

@Test func invalidMetricAndLabelNamesAreRejected() {
    var batch = sampleBatch()
    batch.series[0].metric = "cpu seconds"
    #expect(throws: DecodeError.self) { try BatchCodec.decode(BatchCodec.encode(batch)) }
    batch = sampleBatch()
    batch.series[0].labels = ["0mode": "idle"]
    #expect(throws: DecodeError.self) { try BatchCodec.decode(BatchCodec.encode(batch)) }
}

@Test func sequenceZeroAndTinyIntervalsAreRejected() {
    #expect(throws: DecodeError.self) { try BatchCodec.decode(BatchCodec.encode(sampleBatch(sequence: 0))) }
    var batch = sampleBatch()
    batch.intervalMs = 5
    #expect(throws: DecodeError.self) { try BatchCodec.decode(BatchCodec.encode(batch)) }
}
