/// Numbers, durations and strings, with Prometheus's acceptance rules and messages: a number is what
/// `scanNumber` takes (decimal, hex, octal, exponent; checked for range by the parser), a duration is digits
/// and units (`1h30m`, checked by `DurationLiteral`), strings follow Go's escapes.
extension Lexer {
    mutating func lexDuration() -> Token? {
        state = .statements
        if scanNumber() { return error("missing unit character in duration") }
        if !acceptRemainingDuration() {
            return error("bad duration syntax: \(GoQuote.string(String(decoding: input[start..<position], as: UTF8.self)))")
        }
        backup()
        return emit(.duration)
    }

    mutating func lexNumberOrDuration() -> Token {
        if scanNumber() { return emit(.number) }
        if acceptRemainingDuration() {
            backup()
            return emit(.duration)
        }
        let text = String(decoding: input[start..<position], as: UTF8.self)
        return error("bad number or duration syntax: \(GoQuote.string(text))")
    }

    /// After a number: a unit (`y` only first), more number–unit pairs, then no letter or digit. Consumes one
    /// rune past the duration when it succeeds.
    private mutating func acceptRemainingDuration() -> Bool {
        guard accept("smhdwy") else { return false }
        _ = accept("s")
        while accept("0123456789") {
            while accept("0123456789") {}
            guard accept("smhdw") else { return false }
            _ = accept("s")
        }
        return !Lexer.isAlphaNumeric(nextRune())
    }

    /// Scans what may be a number; true when no letter or digit follows it (the parser checks the rest).
    private mutating func scanNumber() -> Bool {
        var digits = "0123456789"
        if accept("0"), accept("xX") { digits = "0123456789abcdefABCDEF" }
        acceptRun(digits)
        if accept(".") { acceptRun(digits) }
        if accept("eE") {
            _ = accept("+-")
            acceptRun("0123456789")
        }
        return !Lexer.isAlphaNumeric(peek())
    }

    mutating func lexString(quote: Int32) -> Token {
        while true {
            let rune = nextRune()
            switch rune {
            case 0x5C:
                if let failure = lexEscape(quote: quote) { return failure }
            case 0xFFFD: return error("invalid UTF-8 rune")
            case Lexer.eof, 0x0A: return error("unterminated quoted string")
            case quote: return emit(.string)
            default: continue
            }
        }
    }

    mutating func lexRawString() -> Token {
        while true {
            switch nextRune() {
            case 0xFFFD: return error("invalid UTF-8 rune")
            case Lexer.eof: return error("unterminated raw string")
            case 0x60: return emit(.string)
            default: continue
            }
        }
    }

    /// One escape after `\`, as Go's scanner checks it; an error token when it is not valid.
    private mutating func lexEscape(quote: Int32) -> Token? {
        var rune = nextRune()
        let count: Int
        let base: UInt32
        let maximum: UInt32
        switch rune {
        case 0x61, 0x62, 0x66, 0x6E, 0x72, 0x74, 0x76, 0x5C, quote: return nil
        case 0x30...0x37: (count, base, maximum) = (3, 8, 255)
        case 0x78: rune = nextRune(); (count, base, maximum) = (2, 16, 255)
        case 0x75: rune = nextRune(); (count, base, maximum) = (4, 16, 0x10FFFF)
        case 0x55: rune = nextRune(); (count, base, maximum) = (8, 16, 0x10FFFF)
        case Lexer.eof: return error("escape sequence not terminated")
        default: return error("unknown escape sequence \(GoQuote.unicode(rune))")
        }
        var value: UInt32 = 0
        for index in 0..<count {
            let digit = Lexer.digitValue(rune)
            if digit >= base {
                if rune == Lexer.eof { return error("escape sequence not terminated") }
                return error("illegal character \(GoQuote.unicode(rune)) in escape sequence")
            }
            value = value &* base &+ digit
            if index < count - 1 { rune = nextRune() }
        }
        if value > maximum || (0xD800..<0xE000).contains(value) {
            return error("escape sequence is an invalid Unicode code point")
        }
        return nil
    }

    private static func digitValue(_ rune: Int32) -> UInt32 {
        switch rune {
        case 0x30...0x39: return UInt32(rune - 0x30)
        case 0x61...0x66: return UInt32(rune - 0x61 + 10)
        case 0x41...0x46: return UInt32(rune - 0x41 + 10)
        default: return 16
        }
    }
}
