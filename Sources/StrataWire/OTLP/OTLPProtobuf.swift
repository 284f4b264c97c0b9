/// Decoding of OTLP `ExportMetricsServiceRequest` protobuf bodies (opentelemetry-proto v1, field numbers from
/// `metrics/v1/metrics.proto`) with the same hand-written reader as remote write. Unknown fields are skipped,
/// repeated scalars are read packed or unpacked, and nothing a sender writes can trap: every read is bounded
/// by its message, attribute nesting by `OTLPLimits.maxValueDepth`.
public enum OTLPProtobuf {
    typealias Reader = RawProtoReader
    typealias Failure = RemoteWriteRequest.DecodeError

    /// Decodes a whole request.
    public static func decode(_ bytes: [UInt8]) throws(OTLPDecodeError) -> OTLPMetricsRequest {
        let result: Result<OTLPMetricsRequest, Failure> = bytes.withUnsafeBufferPointer { buffer in
            do throws(Failure) {
                var reader = Reader(buffer, 0..<buffer.count)
                var request = OTLPMetricsRequest()
                while let (field, wire) = try reader.nextKey() {
                    if field == 1 && wire == 2 {
                        var message = reader.sub(try reader.lengthDelimited())
                        request.resources.append(try resourceMetrics(&message))
                    } else {
                        try reader.skip(wire)
                    }
                }
                return .success(request)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let request): return request
        case .failure(let error): throw OTLPDecodeError("invalid protobuf ExportMetricsServiceRequest: \(error.description)")
        }
    }

    private static func resourceMetrics(_ reader: inout Reader) throws(Failure) -> OTLPResourceMetrics {
        var resource = OTLPResourceMetrics()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2):
                var message = reader.sub(try reader.lengthDelimited())
                while let (resourceField, resourceWire) = try message.nextKey() {
                    if resourceField == 1 && resourceWire == 2 {
                        resource.attributes.append(try keyValue(&message, depth: 0))
                    } else {
                        try message.skip(resourceWire)
                    }
                }
            case (2, 2):
                var scope = reader.sub(try reader.lengthDelimited())
                while let (scopeField, scopeWire) = try scope.nextKey() {
                    if scopeField == 2 && scopeWire == 2 {
                        var message = scope.sub(try scope.lengthDelimited())
                        resource.metrics.append(try metric(&message))
                    } else {
                        try scope.skip(scopeWire)
                    }
                }
            default: try reader.skip(wire)
            }
        }
        return resource
    }

    private static func metric(_ reader: inout Reader) throws(Failure) -> OTLPMetric {
        var metric = OTLPMetric()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2): metric.name = try reader.string()
            case (2, 2): metric.description = try reader.string()
            case (3, 2): metric.unit = try reader.string()
            case (5, 2), (7, 2), (9, 2), (10, 2), (11, 2):
                var message = reader.sub(try reader.lengthDelimited())
                metric.data = try data(field, &message)
            default: try reader.skip(wire)
            }
        }
        return metric
    }

    /// A `Gauge` (5), `Sum` (7), `Histogram` (9), `ExponentialHistogram` (10) or `Summary` (11) message.
    private static func data(_ kind: Int, _ reader: inout Reader) throws(Failure) -> OTLPMetricData {
        var numbers: [OTLPNumberPoint] = []
        var histograms: [OTLPHistogramPoint] = []
        var exponentials: [OTLPExponentialHistogramPoint] = []
        var summaries: [OTLPSummaryPoint] = []
        var temporality = OTLPTemporality.unspecified
        var monotonic = false
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2):
                var point = reader.sub(try reader.lengthDelimited())
                switch kind {
                case 5, 7: numbers.append(try numberPoint(&point))
                case 9: histograms.append(try histogramPoint(&point))
                case 10: exponentials.append(try exponentialPoint(&point))
                default: summaries.append(try summaryPoint(&point))
                }
            case (2, 0) where kind != 5 && kind != 11:
                temporality = OTLPTemporality(rawValue: Int(truncatingIfNeeded: try reader.varint())) ?? .unspecified
            case (3, 0) where kind == 7: monotonic = try reader.varint() != 0
            default: try reader.skip(wire)
            }
        }
        switch kind {
        case 5: return .gauge(numbers)
        case 7: return .sum(numbers, temporality: temporality, monotonic: monotonic)
        case 9: return .histogram(histograms, temporality: temporality)
        case 10: return .exponentialHistogram(exponentials, temporality: temporality)
        default: return .summary(summaries)
        }
    }

    private static func numberPoint(_ reader: inout Reader) throws(Failure) -> OTLPNumberPoint {
        var point = OTLPNumberPoint()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (7, 2): point.attributes.append(try keyValue(&reader, depth: 0))
            case (3, 1): point.timeUnixNano = try reader.fixed64()
            case (4, 1): point.value = Double(bitPattern: try reader.fixed64())
            case (6, 1): point.value = Double(Int64(bitPattern: try reader.fixed64()))
            case (8, 0): point.flags = UInt32(truncatingIfNeeded: try reader.varint())
            default: try reader.skip(wire)
            }
        }
        return point
    }

    private static func histogramPoint(_ reader: inout Reader) throws(Failure) -> OTLPHistogramPoint {
        var point = OTLPHistogramPoint()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (9, 2): point.attributes.append(try keyValue(&reader, depth: 0))
            case (3, 1): point.timeUnixNano = try reader.fixed64()
            case (4, 1): point.count = try reader.fixed64()
            case (5, 1): point.sum = Double(bitPattern: try reader.fixed64())
            case (6, 1), (6, 2): try reader.repeatedFixed64(wire) { point.bucketCounts.append($0) }
            case (7, 1), (7, 2): try reader.repeatedFixed64(wire) { point.bounds.append(Double(bitPattern: $0)) }
            case (10, 0): point.flags = UInt32(truncatingIfNeeded: try reader.varint())
            default: try reader.skip(wire)
            }
        }
        return point
    }

    private static func exponentialPoint(_ reader: inout Reader) throws(Failure) -> OTLPExponentialHistogramPoint {
        var point = OTLPExponentialHistogramPoint()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2): point.attributes.append(try keyValue(&reader, depth: 0))
            case (3, 1): point.timeUnixNano = try reader.fixed64()
            case (4, 1): point.count = try reader.fixed64()
            case (5, 1): point.sum = Double(bitPattern: try reader.fixed64())
            case (6, 0): point.scale = zigzag32(try reader.varint())
            case (7, 1): point.zeroCount = try reader.fixed64()
            case (8, 2), (9, 2):
                var message = reader.sub(try reader.lengthDelimited())
                var buckets = OTLPExponentialBuckets()
                while let (bucketField, bucketWire) = try message.nextKey() {
                    switch (bucketField, bucketWire) {
                    case (1, 0): buckets.offset = zigzag32(try message.varint())
                    case (2, 0), (2, 2): try message.repeatedVarint(bucketWire) { buckets.counts.append($0) }
                    default: try message.skip(bucketWire)
                    }
                }
                if field == 8 { point.positive = buckets } else { point.negative = buckets }
            case (10, 0): point.flags = UInt32(truncatingIfNeeded: try reader.varint())
            case (14, 1): point.zeroThreshold = Double(bitPattern: try reader.fixed64())
            default: try reader.skip(wire)
            }
        }
        return point
    }

    private static func summaryPoint(_ reader: inout Reader) throws(Failure) -> OTLPSummaryPoint {
        var point = OTLPSummaryPoint()
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (7, 2): point.attributes.append(try keyValue(&reader, depth: 0))
            case (3, 1): point.timeUnixNano = try reader.fixed64()
            case (4, 1): point.count = try reader.fixed64()
            case (5, 1): point.sum = Double(bitPattern: try reader.fixed64())
            case (6, 2):
                var message = reader.sub(try reader.lengthDelimited())
                var quantile = OTLPQuantile(quantile: 0, value: 0)
                while let (quantileField, quantileWire) = try message.nextKey() {
                    switch (quantileField, quantileWire) {
                    case (1, 1): quantile.quantile = Double(bitPattern: try message.fixed64())
                    case (2, 1): quantile.value = Double(bitPattern: try message.fixed64())
                    default: try message.skip(quantileWire)
                    }
                }
                point.quantiles.append(quantile)
            case (8, 0): point.flags = UInt32(truncatingIfNeeded: try reader.varint())
            default: try reader.skip(wire)
            }
        }
        return point
    }

    /// A length-delimited `KeyValue` at the reader's position.
    private static func keyValue(_ reader: inout Reader, depth: Int) throws(Failure) -> OTLPAttribute {
        var message = reader.sub(try reader.lengthDelimited())
        var attribute = OTLPAttribute("", .empty)
        while let (field, wire) = try message.nextKey() {
            switch (field, wire) {
            case (1, 2): attribute.key = try message.string()
            case (2, 2):
                var value = message.sub(try message.lengthDelimited())
                attribute.value = try anyValue(&value, depth: depth)
            default: try message.skip(wire)
            }
        }
        return attribute
    }

    private static func anyValue(_ reader: inout Reader, depth: Int) throws(Failure) -> OTLPValue {
        guard depth < OTLPLimits.maxValueDepth else {
            throw Failure(description: "attribute values nested deeper than \(OTLPLimits.maxValueDepth)")
        }
        var value = OTLPValue.empty
        while let (field, wire) = try reader.nextKey() {
            switch (field, wire) {
            case (1, 2): value = .string(try reader.string())
            case (2, 0): value = .bool(try reader.varint() != 0)
            case (3, 0): value = .int(Int64(bitPattern: try reader.varint()))
            case (4, 1): value = .double(Double(bitPattern: try reader.fixed64()))
            case (5, 2):
                var list = reader.sub(try reader.lengthDelimited())
                var values: [OTLPValue] = []
                while let (listField, listWire) = try list.nextKey() {
                    guard listField == 1 && listWire == 2 else { try list.skip(listWire); continue }
                    var item = list.sub(try list.lengthDelimited())
                    values.append(try anyValue(&item, depth: depth + 1))
                }
                value = .array(values)
            case (6, 2):
                var list = reader.sub(try reader.lengthDelimited())
                var pairs: [OTLPAttribute] = []
                while let (listField, listWire) = try list.nextKey() {
                    guard listField == 1 && listWire == 2 else { try list.skip(listWire); continue }
                    pairs.append(try keyValue(&list, depth: depth + 1))
                }
                value = .keyValues(pairs)
            case (7, 2):
                let range = try reader.lengthDelimited()
                value = .bytes(Array(reader.buffer[range]))
            default: try reader.skip(wire)
            }
        }
        return value
    }

    /// A `sint32` from its zigzag varint (bits above 32 are dropped, as protobuf does).
    static func zigzag32(_ raw: UInt64) -> Int32 {
        let bits = UInt32(truncatingIfNeeded: raw)
        return Int32(bitPattern: (bits >> 1) ^ (0 &- (bits & 1)))
    }
}

extension RawProtoReader {
    /// A reader over `range` of the same buffer.
    func sub(_ range: Range<Int>) -> RawProtoReader { RawProtoReader(buffer, range) }

    /// A repeated fixed64 or double field, packed (wire type 2) or one value (wire type 1).
    mutating func repeatedFixed64(_ wire: Int, _ body: (UInt64) -> Void) throws(Failure) {
        guard wire == 2 else { body(try fixed64()); return }
        var packed = sub(try lengthDelimited())
        guard (packed.end - packed.position) % 8 == 0 else { throw Failure(description: "packed fixed64 field length is not a multiple of 8") }
        while packed.position < packed.end { body(try packed.fixed64()) }
    }

    /// A repeated varint field, packed (wire type 2) or one value (wire type 0).
    mutating func repeatedVarint(_ wire: Int, _ body: (UInt64) -> Void) throws(Failure) {
        guard wire == 2 else { body(try varint()); return }
        var packed = sub(try lengthDelimited())
        while packed.position < packed.end { body(try packed.varint()) }
    }
}
