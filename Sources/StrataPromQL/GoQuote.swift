/// Go's quoting (`strconv.Quote`, `strconv.QuoteRune`, `%#U`), because Prometheus prints strings, label values
/// and the characters in its error messages that way and Strata answers with the same text.
enum GoQuote {
    /// `%q` of a string: double quotes, `\"` and `\\`, Go's escapes for what is not printable. With `maxRunes`,
    /// only that many characters are quoted first (`%.10q`).
    static func string(_ text: String, maxRunes: Int? = nil) -> String {
        var out = "\""
        var count = 0
        for scalar in text.unicodeScalars {
            if let maxRunes, count >= maxRunes { break }
            count += 1
            appendEscaped(scalar.value, quote: "\"", to: &out)
        }
        out += "\""
        return out
    }

    /// `%q` of a rune: single quotes; a negative value (end of input) or an invalid one quotes as `'�'`.
    static func rune(_ value: Int32) -> String {
        var out = "'"
        let valid = value >= 0 && value <= 0x10FFFF && !(0xD800...0xDFFF).contains(value)
        appendEscaped(valid ? UInt32(value) : 0xFFFD, quote: "'", to: &out)
        out += "'"
        return out
    }

    /// `%#U` of a rune: `U+0022 '"'`, without the character when it is not printable.
    static func unicode(_ value: Int32) -> String {
        let magnitude = UInt32(bitPattern: value)
        var out = "U+" + hex(magnitude, minimumDigits: 4, uppercase: true)
        if value >= 0, let scalar = Unicode.Scalar(UInt32(value)), isPrint(scalar.value) {
            out += " '" + String(Character(scalar)) + "'"
        }
        return out
    }

    /// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
    static func isPrint(_ value: UInt32) -> Bool {
        if value < 0x80 { return value >= 0x20 && value < 0x7F }
        if value < 0x100 { return value >= 0xA1 && value != 0xAD }
        guard let scalar = Unicode.Scalar(value) else { return false }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }

    private static func appendEscaped(_ value: UInt32, quote: Character, to out: inout String) {
        if value == quote.unicodeScalars.first!.value || value == 0x5C {
            out += "\\"
            out.unicodeScalars.append(Unicode.Scalar(value)!)
            return
        }
        if isPrint(value), let scalar = Unicode.Scalar(value) {
            out.unicodeScalars.append(scalar)
            return
        }
        switch value {
        case 0x07: out += "\\a"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x0B: out += "\\v"
        case ..<0x20, 0x7F: out += "\\x" + hex(value, minimumDigits: 2)
        case ..<0x10000: out += "\\u" + hex(value, minimumDigits: 4)
        default: out += "\\U" + hex(value, minimumDigits: 8)
        }
    }

    private static func hex(_ value: UInt32, minimumDigits: Int, uppercase: Bool = false) -> String {
        let digits = String(value, radix: 16, uppercase: uppercase)
        return String(repeating: "0", count: max(0, minimumDigits - digits.count)) + digits
    }
}
