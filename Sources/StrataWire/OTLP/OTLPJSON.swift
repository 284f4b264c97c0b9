import StrataCore

/// Decoding of OTLP/JSON `ExportMetricsServiceRequest` bodies: the protobuf JSON mapping as the OTLP spec
/// restricts it — lowerCamelCase field names (the proto's snake_case names are accepted too), 64-bit integers as
/// strings or numbers, doubles as numbers or `"NaN"`/`"Infinity"`/`"-Infinity"`, enums as numbers or names,
/// `bytesValue` in base64. Unknown fields are ignored, as the spec asks. Parsed with StrataCore's bounded JSON
/// reader (nesting beyond 64 levels is refused).
public enum OTLPJSON {
    typealias Object = PropertyValue

    /// Decodes a whole request.
    public static func decode(_ bytes: [UInt8]) throws(OTLPDecodeError) -> OTLPMetricsRequest {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw OTLPDecodeError("invalid OTLP/JSON body: not UTF-8") }
        let root: PropertyValue
        do {
            root = try PropertyValue(json: text)
        } catch {
            throw OTLPDecodeError("invalid OTLP/JSON body: \(error.description)")
        }
        guard case .map = root else { throw OTLPDecodeError("invalid OTLP/JSON body: expected an object such as {\"resourceMetrics\":[…]}") }
        var request = OTLPMetricsRequest()
        for resource in try list(root, "resourceMetrics") {
            var decoded = OTLPResourceMetrics()
            if let attributes = field(resource, "resource") { decoded.attributes = try keyValues(attributes, "attributes", depth: 0) }
            for scope in try list(resource, "scopeMetrics") {
                for metric in try list(scope, "metrics") { decoded.metrics.append(try self.metric(metric)) }
            }
            request.resources.append(decoded)
        }
        return request
    }

    private static func metric(_ object: Object) throws(OTLPDecodeError) -> OTLPMetric {
        var metric = OTLPMetric(name: try string(object, "name"), description: try string(object, "description"), unit: try string(object, "unit"))
        if let gauge = field(object, "gauge") {
            metric.data = .gauge(try list(gauge, "dataPoints").map(numberPoint))
        } else if let sum = field(object, "sum") {
            metric.data = .sum(try list(sum, "dataPoints").map(numberPoint), temporality: try temporality(sum), monotonic: try bool(sum, "isMonotonic"))
        } else if let histogram = field(object, "histogram") {
            metric.data = .histogram(try list(histogram, "dataPoints").map(histogramPoint), temporality: try temporality(histogram))
        } else if let histogram = field(object, "exponentialHistogram") {
            metric.data = .exponentialHistogram(try list(histogram, "dataPoints").map(exponentialPoint), temporality: try temporality(histogram))
        } else if let summary = field(object, "summary") {
            metric.data = .summary(try list(summary, "dataPoints").map(summaryPoint))
        }
        return metric
    }

    private static func numberPoint(_ object: Object) throws(OTLPDecodeError) -> OTLPNumberPoint {
        var point = OTLPNumberPoint(attributes: try keyValues(object, "attributes", depth: 0), timeUnixNano: try uint64(object, "timeUnixNano"),
                                    flags: UInt32(truncatingIfNeeded: try uint64(object, "flags")))
        if field(object, "asDouble") != nil {
            point.value = try double(object, "asDouble") ?? 0
        } else if let value = field(object, "asInt") {
            point.value = Double(try int64(value, "asInt"))
        }
        return point
    }

    private static func histogramPoint(_ object: Object) throws(OTLPDecodeError) -> OTLPHistogramPoint {
        var point = OTLPHistogramPoint(attributes: try keyValues(object, "attributes", depth: 0), timeUnixNano: try uint64(object, "timeUnixNano"),
                                       count: try uint64(object, "count"), sum: try double(object, "sum"))
        point.bucketCounts = try list(object, "bucketCounts").map { value throws(OTLPDecodeError) in try uint64Value(value, "bucketCounts") }
        point.bounds = try list(object, "explicitBounds").map { value throws(OTLPDecodeError) in try doubleValue(value, "explicitBounds") }
        point.flags = UInt32(truncatingIfNeeded: try uint64(object, "flags"))
        return point
    }

    private static func exponentialPoint(_ object: Object) throws(OTLPDecodeError) -> OTLPExponentialHistogramPoint {
        var point = OTLPExponentialHistogramPoint(
            attributes: try keyValues(object, "attributes", depth: 0), timeUnixNano: try uint64(object, "timeUnixNano"),
            count: try uint64(object, "count"), sum: try double(object, "sum"),
            scale: Int32(truncatingIfNeeded: try field(object, "scale").map { value throws(OTLPDecodeError) in try int64(value, "scale") } ?? 0),
            zeroCount: try uint64(object, "zeroCount"))
        point.zeroThreshold = try double(object, "zeroThreshold") ?? 0
        point.flags = UInt32(truncatingIfNeeded: try uint64(object, "flags"))
        for (name, isPositive) in [("positive", true), ("negative", false)] {
            guard let side = field(object, name) else { continue }
            let offset = try field(side, "offset").map { value throws(OTLPDecodeError) in try int64(value, "offset") } ?? 0
            let buckets = OTLPExponentialBuckets(offset: Int32(truncatingIfNeeded: offset),
                                                 counts: try list(side, "bucketCounts").map { value throws(OTLPDecodeError) in try uint64Value(value, "bucketCounts") })
            if isPositive { point.positive = buckets } else { point.negative = buckets }
        }
        return point
    }

    private static func summaryPoint(_ object: Object) throws(OTLPDecodeError) -> OTLPSummaryPoint {
        var point = OTLPSummaryPoint(attributes: try keyValues(object, "attributes", depth: 0), timeUnixNano: try uint64(object, "timeUnixNano"),
                                     count: try uint64(object, "count"), sum: try double(object, "sum") ?? 0)
        point.quantiles = try list(object, "quantileValues").map { value throws(OTLPDecodeError) in
            OTLPQuantile(quantile: try double(value, "quantile") ?? 0, value: try double(value, "value") ?? 0)
        }
        point.flags = UInt32(truncatingIfNeeded: try uint64(object, "flags"))
        return point
    }

    private static func temporality(_ object: Object) throws(OTLPDecodeError) -> OTLPTemporality {
        switch field(object, "aggregationTemporality") {
        case nil: return .unspecified
        case .string("AGGREGATION_TEMPORALITY_DELTA"): return .delta
        case .string("AGGREGATION_TEMPORALITY_CUMULATIVE"): return .cumulative
        case .string("AGGREGATION_TEMPORALITY_UNSPECIFIED"): return .unspecified
        case .int(let raw): return OTLPTemporality(rawValue: Int(truncatingIfNeeded: raw)) ?? .unspecified
        default: throw OTLPDecodeError("invalid OTLP/JSON body: aggregationTemporality must be 1 (delta), 2 (cumulative) or its enum name")
        }
    }

    private static func keyValues(_ object: Object, _ name: String, depth: Int) throws(OTLPDecodeError) -> [OTLPAttribute] {
        try list(object, name).map { pair throws(OTLPDecodeError) in
            OTLPAttribute(try string(pair, "key"), try field(pair, "value").map { value throws(OTLPDecodeError) in try anyValue(value, depth: depth) } ?? .empty)
        }
    }

    private static func anyValue(_ object: Object, depth: Int) throws(OTLPDecodeError) -> OTLPValue {
        guard depth < OTLPLimits.maxValueDepth else { throw OTLPDecodeError("attribute values nested deeper than \(OTLPLimits.maxValueDepth)") }
        if let text = field(object, "stringValue") {
            guard case .string(let value) = text else { throw wrongType("stringValue") }
            return .string(value)
        }
        if field(object, "boolValue") != nil { return .bool(try bool(object, "boolValue")) }
        if let value = field(object, "intValue") { return .int(try int64(value, "intValue")) }
        if field(object, "doubleValue") != nil { return .double(try double(object, "doubleValue") ?? 0) }
        if let array = field(object, "arrayValue") {
            return .array(try list(array, "values").map { value throws(OTLPDecodeError) in try anyValue(value, depth: depth + 1) })
        }
        if let pairs = field(object, "kvlistValue") { return .keyValues(try keyValues(pairs, "values", depth: depth + 1)) }
        if let bytes = field(object, "bytesValue") {
            guard case .string(let text) = bytes, let decoded = base64Decode(text) else { throw wrongType("bytesValue (base64)") }
            return .bytes(decoded)
        }
        return .empty
    }

    // MARK: Field access

    /// The field `name` (lowerCamelCase) or its snake_case spelling.
    static func field(_ object: Object, _ name: String) -> Object? {
        if let value = object[name] { return value }
        var snake = ""
        for character in name {
            if character.isUppercase { snake += "_" + character.lowercased() } else { snake.append(character) }
        }
        return snake == name ? nil : object[snake]
    }

    private static func wrongType(_ name: String) -> OTLPDecodeError { OTLPDecodeError("invalid OTLP/JSON body: wrong type for \"\(name)\"") }

    private static func list(_ object: Object, _ name: String) throws(OTLPDecodeError) -> [Object] {
        switch field(object, name) {
        case nil: return []
        case .list(let items): return items
        default: throw wrongType(name)
        }
    }

    private static func string(_ object: Object, _ name: String) throws(OTLPDecodeError) -> String {
        switch field(object, name) {
        case nil: return ""
        case .string(let text): return text
        default: throw wrongType(name)
        }
    }

    private static func bool(_ object: Object, _ name: String) throws(OTLPDecodeError) -> Bool {
        switch field(object, name) {
        case nil: return false
        case .bool(let flag): return flag
        default: throw wrongType(name)
        }
    }

    private static func uint64(_ object: Object, _ name: String) throws(OTLPDecodeError) -> UInt64 {
        guard let value = field(object, name) else { return 0 }
        return try uint64Value(value, name)
    }

    /// An unsigned 64-bit integer given as a number or a decimal string.
    private static func uint64Value(_ value: Object, _ name: String) throws(OTLPDecodeError) -> UInt64 {
        switch value {
        case .int(let number) where number >= 0: return UInt64(number)
        case .double(let number) where number >= 0 && number < 18_446_744_073_709_551_616 && number.rounded() == number: return UInt64(number)
        case .string(let text): if let number = UInt64(text) { return number }
        default: break
        }
        throw wrongType(name)
    }

    /// A signed 64-bit integer given as a number or a decimal string.
    private static func int64(_ value: Object, _ name: String) throws(OTLPDecodeError) -> Int64 {
        switch value {
        case .int(let number): return number
        case .string(let text): if let number = Int64(text) { return number }
        default: break
        }
        throw wrongType(name)
    }

    private static func double(_ object: Object, _ name: String) throws(OTLPDecodeError) -> Double? {
        guard let value = field(object, name) else { return nil }
        return try doubleValue(value, name)
    }

    /// A double given as a number, a decimal string, or `"NaN"`, `"Infinity"`, `"-Infinity"`.
    private static func doubleValue(_ value: Object, _ name: String) throws(OTLPDecodeError) -> Double {
        switch value {
        case .int(let number): return Double(number)
        case .double(let number): return number
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text): if let number = Double(text), number.isFinite { return number }
        default: break
        }
        throw wrongType(name)
    }

    /// Standard or URL-safe base64, padding optional; nil for anything else.
    static func base64Decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in text.utf8 {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"), UInt8(ascii: "-"): value = 62
            case UInt8(ascii: "/"), UInt8(ascii: "_"): value = 63
            case UInt8(ascii: "="): continue
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return out
    }
}
