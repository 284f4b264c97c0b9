/// `"text"`, `'text'` or `` `raw` ``: a string constant (the parameter of `count_values`, the arguments of
/// `label_replace` and `label_join`).
public struct StringLiteral: Sendable {
    /// The value, escapes resolved. (A `\xFF`-style escape that makes invalid UTF-8 reads as U+FFFD.)
    public var value: String
    /// Where the literal is.
    public var positionRange: PositionRange

    /// A string.
    public init(value: String, positionRange: PositionRange) {
        self.value = value
        self.positionRange = positionRange
    }
}

extension StringLiteral {
    /// The value of a string token (quotes included), escapes resolved as Go's `strconv.Unquote` (which the
    /// lexer has already checked them against); nil when it is not a valid literal.
    static func unquote(_ token: ArraySlice<UInt8>) -> String? {
        guard token.count >= 2, let quote = token.first, token.last == quote else { return nil }
        let body = token.dropFirst().dropLast()
        if quote == UInt8(ascii: "`") { return body.contains(quote) ? nil : String(decoding: body, as: UTF8.self) }
        guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'"), !body.contains(0x0A) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(body.count)
        var index = body.startIndex
        func hexValue(_ byte: UInt8) -> UInt32? {
            switch byte {
            case 0x30...0x39: return UInt32(byte - 0x30)
            case 0x61...0x66: return UInt32(byte - 0x61 + 10)
            case 0x41...0x46: return UInt32(byte - 0x41 + 10)
            default: return nil
            }
        }
        while index < body.endIndex {
            let byte = body[index]
            if byte == quote { return nil }
            guard byte == UInt8(ascii: "\\") else { out.append(byte); index += 1; continue }
            guard index + 1 < body.endIndex else { return nil }
            let escape = body[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "a"): out.append(0x07)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "v"): out.append(0x0B)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let count = escape == UInt8(ascii: "x") ? 2 : escape == UInt8(ascii: "u") ? 4 : 8
                guard index + count <= body.endIndex else { return nil }
                var value: UInt32 = 0
                for offset in 0..<count {
                    guard let digit = hexValue(body[index + offset]) else { return nil }
                    value = value << 4 | digit
                }
                index += count
                if escape == UInt8(ascii: "x") { out.append(UInt8(value)); continue }
                guard let scalar = Unicode.Scalar(value) else { return nil }
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                guard index + 2 <= body.endIndex else { return nil }
                var value = UInt32(escape - 0x30)
                for offset in 0..<2 {
                    let digit = body[index + offset]
                    guard digit >= 0x30, digit <= 0x37 else { return nil }
                    value = value << 3 | UInt32(digit - 0x30)
                }
                index += 2
                guard value <= 255 else { return nil }
                out.append(UInt8(value))
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                guard escape == quote else { return nil }
                out.append(escape)
            default:
                return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
