/// Reads one JSON string literal from UTF-8 bytes, escapes decoded (`\n`, `\uXXXX` with surrogate pairs joined; a
/// lone surrogate becomes U+FFFD). Shared by the property reader (`PropertyValue(json:)`) and the check for repeated
/// names in request bodies (`StrataWire.JSONDuplicateKeys`), so both read a name the same way.
public enum JSONStringLiteral {
    /// The string whose opening quote is at `index`; leaves `index` just after its closing quote.
    public static func read(_ bytes: [UInt8], at index: inout Int) throws(PropertyValue.JSONError) -> String {
        index += 1
        var scalars = String.UnicodeScalarView()
        var run = index
        func flush(_ end: Int) { scalars.append(contentsOf: String(decoding: bytes[run..<end], as: UTF8.self).unicodeScalars) }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                flush(index)
                index += 1
                return String(scalars)
            }
            guard byte == UInt8(ascii: "\\") else { index += 1; continue }
            flush(index)
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"): scalars.append(try unicodeEscape(bytes, at: &index))
            default: scalars.append(Unicode.Scalar(escape))
            }
            run = index
        }
        throw PropertyValue.JSONError(offset: index, reason: "unterminated string")
    }

    /// The scalar of `\uXXXX` (after the `u`), joining a surrogate pair; a lone surrogate is U+FFFD.
    static func unicodeEscape(_ bytes: [UInt8], at index: inout Int) throws(PropertyValue.JSONError) -> Unicode.Scalar {
        let high = try hex4(bytes, at: &index)
        if (0xD800..<0xDC00).contains(high), bytes.count - index >= 6, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
            index += 2
            let low = try hex4(bytes, at: &index)
            if (0xDC00..<0xE000).contains(low), let scalar = Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) { return scalar }
            return "\u{FFFD}"
        }
        return Unicode.Scalar(high) ?? "\u{FFFD}"
    }

    static func hex4(_ bytes: [UInt8], at index: inout Int) throws(PropertyValue.JSONError) -> UInt32 {
        guard bytes.count - index >= 4, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
            throw PropertyValue.JSONError(offset: index, reason: "expected four hex digits")
        }
        index += 4
        return value
    }
}
