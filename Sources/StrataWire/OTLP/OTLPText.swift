import StrataCore

/// Attribute values and bucket bounds as text, as Prometheus's OTLP translator writes them into label values
/// (pcommon's `AsString`, Go's `strconv.FormatFloat(x, 'f', -1, 64)`). No Foundation: plain string work.
enum OTLPText {
    /// A label value for an attribute value: strings as they are, numbers in decimal, bytes in base64,
    /// arrays and key-value lists as JSON.
    static func labelValue(_ value: OTLPValue) -> String {
        switch value {
        case .empty: return ""
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return fixed(number)
        case .bytes(let bytes): return base64(bytes)
        case .array, .keyValues: return json(value)
        }
    }

    /// `strconv.FormatFloat(x, 'f', -1, 64)`: the shortest digits that read back as `x`, never an exponent;
    /// `+Inf`, `-Inf`, `NaN`.
    static func fixed(_ x: Double) -> String {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x < 0 ? "-Inf" : "+Inf" }
        if x == 0 { return x.sign == .minus ? "-0" : "0" }
        // Swift's description has the shortest round-trip digits: "1.5", "1e-05", "1.2345e+20".
        let text = x.magnitude.description
        let parts = text.split(separator: "e", maxSplits: 1)
        let mantissa = parts[0]
        let exponent = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
        let pieces = mantissa.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = String(pieces[0])
        var fraction = pieces.count > 1 ? String(pieces[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        var digits = whole + fraction
        var point = whole.count + exponent
        while digits.count > 1 && digits.hasPrefix("0") {
            digits.removeFirst()
            point -= 1
        }
        let result: String
        if point <= 0 {
            result = "0." + String(repeating: "0", count: -point) + digits
        } else if point >= digits.count {
            result = digits + String(repeating: "0", count: point - digits.count)
        } else {
            let index = digits.index(digits.startIndex, offsetBy: point)
            result = String(digits[..<index]) + "." + String(digits[index...])
        }
        return (x < 0 ? "-" : "") + result
    }

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A value as JSON (arrays and key-value lists as pcommon writes them: lists and objects of plain values).
    static func json(_ value: OTLPValue) -> String {
        func quote(_ text: String) -> String {
            var out = ""
            JSONText.appendQuoted(text, to: &out)
            return out
        }
        switch value {
        case .empty: return "null"
        case .string(let text): return quote(text)
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return number.isFinite ? fixed(number) : quote(fixed(number))
        case .bytes(let bytes): return quote(base64(bytes))
        case .array(let values): return "[" + values.map(json).joined(separator: ",") + "]"
        case .keyValues(let pairs): return "{" + pairs.map { quote($0.key) + ":" + json($0.value) }.joined(separator: ",") + "}"
        }
    }
}
