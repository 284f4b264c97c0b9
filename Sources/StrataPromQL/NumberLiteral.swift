/// `1`, `-2.5e3`, `0x1F`, `0755` (octal), `Inf`, `NaN`: a scalar constant.
public struct NumberLiteral: Sendable {
    /// The value.
    public var value: Double
    /// Where the literal (with a folded sign) is.
    public var positionRange: PositionRange

    /// A number.
    public init(value: Double, positionRange: PositionRange) {
        self.value = value
        self.positionRange = positionRange
    }
}

extension NumberLiteral {
    /// The value of a number token, read as Prometheus reads it: first as a Go integer literal (decimal, `0x`
    /// hex, leading-`0` octal) that fits in 64 bits, else as a Go float. The error is Go's message.
    static func value(of text: String) -> Result<Double, LiteralError> {
        if let integer = goInteger(text) { return .success(Double(integer)) }
        let lowered = text.lowercased()
        if lowered == "inf" || lowered == "infinity" { return .success(.infinity) }
        if lowered == "nan" { return .success(.nan) }
        let quoted = GoQuote.string(text)
        guard isGoDecimalFloat(text), let value = Double(text) else {
            return .failure(LiteralError("strconv.ParseFloat: parsing \(quoted): invalid syntax"))
        }
        if value.isInfinite { return .failure(LiteralError("strconv.ParseFloat: parsing \(quoted): value out of range")) }
        return .success(value)
    }

    /// Go's `strconv.ParseInt(text, 0, 64)` for the unsigned forms the lexer produces.
    private static func goInteger(_ text: String) -> Int64? {
        var digits = Substring(text)
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
        } else if digits.count > 1, digits.hasPrefix("0") {
            radix = 8
            digits = digits.dropFirst()
        }
        guard let first = digits.utf8.first, first != UInt8(ascii: "+"), first != UInt8(ascii: "-") else { return nil }
        return Int64(digits, radix: radix)
    }

    /// Go's decimal float syntax: digits with an optional point (at least one digit), an optional exponent with
    /// at least one digit. Hex floats need a `p` exponent, which the lexer never lets through.
    private static func isGoDecimalFloat(_ text: String) -> Bool {
        var sawDigit = false
        var index = text.utf8.startIndex
        let bytes = text.utf8
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        while index < bytes.endIndex, isDigit(bytes[index]) { sawDigit = true; index = bytes.index(after: index) }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index = bytes.index(after: index)
            while index < bytes.endIndex, isDigit(bytes[index]) { sawDigit = true; index = bytes.index(after: index) }
        }
        guard sawDigit else { return false }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index = bytes.index(after: index)
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index = bytes.index(after: index)
            }
            var exponentDigits = false
            while index < bytes.endIndex, isDigit(bytes[index]) { exponentDigits = true; index = bytes.index(after: index) }
            guard exponentDigits else { return false }
        }
        return index == bytes.endIndex
    }
}

/// Why a literal's text has no value (a number out of range, a bad duration); the parser adds the position.
struct LiteralError: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}
