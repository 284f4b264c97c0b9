import StrataCore

/// The bodies an OTLP/HTTP receiver answers with, in the request's encoding: `ExportMetricsServiceResponse`
/// (with `partial_success` when points were refused) and `google.rpc.Status` for errors.
public enum OTLPResponse {
    /// The two encodings OTLP/HTTP has.
    public enum Encoding: Sendable {
        case protobuf, json

        /// The response's Content-Type.
        public var contentType: String { self == .protobuf ? "application/x-protobuf" : "application/json" }
    }

    /// `ExportMetricsServiceResponse`: empty when everything was accepted.
    public static func export(rejectedPoints: Int, message: String, encoding: Encoding) -> [UInt8] {
        guard rejectedPoints > 0 || !message.isEmpty else { return encoding == .protobuf ? [] : Array("{}".utf8) }
        switch encoding {
        case .protobuf:
            var partial: [UInt8] = []
            if rejectedPoints > 0 { partial += [0x08] + varint(UInt64(rejectedPoints)) }
            if !message.isEmpty { partial += field(2, Array(message.utf8)) }
            return field(1, partial)
        case .json:
            var json = "{\"partialSuccess\":{\"rejectedDataPoints\":\"\(rejectedPoints)\""
            if !message.isEmpty { json += ",\"errorMessage\":" + quote(message) }
            return Array((json + "}}").utf8)
        }
    }

    /// `google.rpc.Status` with `code` (gRPC's: 3 invalid argument, 8 resource exhausted…) and `message`.
    public static func status(code: Int, message: String, encoding: Encoding) -> [UInt8] {
        switch encoding {
        case .protobuf: return [0x08] + varint(UInt64(max(0, code))) + field(2, Array(message.utf8))
        case .json: return Array("{\"code\":\(code),\"message\":\(quote(message))}".utf8)
        }
    }

    private static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }

    private static func quote(_ text: String) -> String {
        var out = ""
        JSONText.appendQuoted(text, to: &out)
        return out
    }
}
