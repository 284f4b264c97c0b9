import StrataWire

/// Encodes an OTLP request model as protobuf, field by field as opentelemetry-proto v1 numbers them, for tests
/// (the server only decodes). `packed: false` writes repeated scalars one field each, as old senders may.
struct OTLPProtoEncoder {
    var packed = true

    func request(_ request: OTLPMetricsRequest) -> [UInt8] {
        var out = ProtoWriter()
        for resource in request.resources {
            var resourceMessage = ProtoWriter()
            var attributes = ProtoWriter()
            for attribute in resource.attributes { attributes.message(1, keyValue(attribute)) }
            resourceMessage.message(1, attributes.bytes)
            var scope = ProtoWriter()
            scope.message(1, [0x0a, 4] + Array("test".utf8)) // InstrumentationScope{name}
            for metric in resource.metrics { scope.message(2, self.metric(metric)) }
            resourceMessage.message(2, scope.bytes)
            out.message(1, resourceMessage.bytes)
        }
        return out.bytes
    }

    func metric(_ metric: OTLPMetric) -> [UInt8] {
        var out = ProtoWriter()
        out.string(1, metric.name)
        if !metric.description.isEmpty { out.string(2, metric.description) }
        if !metric.unit.isEmpty { out.string(3, metric.unit) }
        var data = ProtoWriter()
        switch metric.data {
        case .none: return out.bytes
        case .gauge(let points):
            for point in points { data.message(1, number(point)) }
            out.message(5, data.bytes)
        case let .sum(points, temporality, monotonic):
            for point in points { data.message(1, number(point)) }
            data.key(2, 0); data.varint(UInt64(temporality.rawValue))
            data.key(3, 0); data.varint(monotonic ? 1 : 0)
            out.message(7, data.bytes)
        case let .histogram(points, temporality):
            for point in points { data.message(1, histogram(point)) }
            data.key(2, 0); data.varint(UInt64(temporality.rawValue))
            out.message(9, data.bytes)
        case let .exponentialHistogram(points, temporality):
            for point in points { data.message(1, exponential(point)) }
            data.key(2, 0); data.varint(UInt64(temporality.rawValue))
            out.message(10, data.bytes)
        case .summary(let points):
            for point in points { data.message(1, summary(point)) }
            out.message(11, data.bytes)
        }
        return out.bytes
    }

    func number(_ point: OTLPNumberPoint) -> [UInt8] {
        var out = ProtoWriter()
        for attribute in point.attributes { out.message(7, keyValue(attribute)) }
        out.fixed64(3, point.timeUnixNano)
        if point.value.rounded() == point.value && abs(point.value) < 1e15 {
            out.fixed64(6, UInt64(bitPattern: Int64(point.value)))
        } else {
            out.fixed64(4, point.value.bitPattern)
        }
        if point.flags != 0 { out.key(8, 0); out.varint(UInt64(point.flags)) }
        return out.bytes
    }

    func histogram(_ point: OTLPHistogramPoint) -> [UInt8] {
        var out = ProtoWriter()
        for attribute in point.attributes { out.message(9, keyValue(attribute)) }
        out.fixed64(3, point.timeUnixNano)
        out.fixed64(4, point.count)
        if let sum = point.sum { out.fixed64(5, sum.bitPattern) }
        repeatedFixed64(&out, 6, point.bucketCounts)
        repeatedFixed64(&out, 7, point.bounds.map(\.bitPattern))
        if point.flags != 0 { out.key(10, 0); out.varint(UInt64(point.flags)) }
        return out.bytes
    }

    func exponential(_ point: OTLPExponentialHistogramPoint) -> [UInt8] {
        var out = ProtoWriter()
        for attribute in point.attributes { out.message(1, keyValue(attribute)) }
        out.fixed64(3, point.timeUnixNano)
        out.fixed64(4, point.count)
        if let sum = point.sum { out.fixed64(5, sum.bitPattern) }
        out.key(6, 0); out.varint(zigzag(point.scale))
        out.fixed64(7, point.zeroCount)
        for (field, side) in [(8, point.positive), (9, point.negative)] {
            var buckets = ProtoWriter()
            buckets.key(1, 0); buckets.varint(zigzag(side.offset))
            var counts = ProtoWriter()
            for count in side.counts { counts.varint(count) }
            buckets.message(2, counts.bytes)
            out.message(field, buckets.bytes)
        }
        if point.zeroThreshold != 0 { out.fixed64(14, point.zeroThreshold.bitPattern) }
        return out.bytes
    }

    func summary(_ point: OTLPSummaryPoint) -> [UInt8] {
        var out = ProtoWriter()
        for attribute in point.attributes { out.message(7, keyValue(attribute)) }
        out.fixed64(3, point.timeUnixNano)
        out.fixed64(4, point.count)
        out.fixed64(5, point.sum.bitPattern)
        for quantile in point.quantiles {
            var message = ProtoWriter()
            message.fixed64(1, quantile.quantile.bitPattern)
            message.fixed64(2, quantile.value.bitPattern)
            out.message(6, message.bytes)
        }
        return out.bytes
    }

    func keyValue(_ attribute: OTLPAttribute) -> [UInt8] {
        var out = ProtoWriter()
        out.string(1, attribute.key)
        out.message(2, anyValue(attribute.value))
        return out.bytes
    }

    func anyValue(_ value: OTLPValue) -> [UInt8] {
        var out = ProtoWriter()
        switch value {
        case .empty: break
        case .string(let text): out.string(1, text)
        case .bool(let flag): out.key(2, 0); out.varint(flag ? 1 : 0)
        case .int(let number): out.key(3, 0); out.varint(UInt64(bitPattern: number))
        case .double(let number): out.fixed64(4, number.bitPattern)
        case .array(let values):
            var list = ProtoWriter()
            for item in values { list.message(1, anyValue(item)) }
            out.message(5, list.bytes)
        case .keyValues(let pairs):
            var list = ProtoWriter()
            for pair in pairs { list.message(1, keyValue(pair)) }
            out.message(6, list.bytes)
        case .bytes(let bytes): out.message(7, bytes)
        }
        return out.bytes
    }

    private func repeatedFixed64(_ out: inout ProtoWriter, _ field: Int, _ values: [UInt64]) {
        if packed {
            var body = ProtoWriter()
            for value in values { withUnsafeBytes(of: value.littleEndian) { body.bytes += $0 } }
            out.message(field, body.bytes)
        } else {
            for value in values { out.fixed64(field, value) }
        }
    }

    private func zigzag(_ value: Int32) -> UInt64 { UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))) }
}

extension ProtoWriter {
    mutating func fixed64(_ field: Int, _ value: UInt64) {
        key(field, 1)
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }
}
