/// Turns the UTF-8 bytes of a query into tokens, one at a time, as the parser asks for them.
///
/// It follows the lexer of Prometheus 2.42 state for state — the same tokens, the same positions, the same
/// messages for what it cannot read — because the first error a query has is decided by when each token is
/// read. It keeps what the grammar needs to know about the text around a token: open parentheses, whether
/// it is inside `{…}` or `[…]`, whether a `:` was seen in the brackets. Every step advances, so lexing is
/// linear in the input.
struct Lexer {
    /// End of input, as a rune.
    static let eof: Int32 = -1

    enum State { case statements, insideBraces, duration, done }

    let input: [UInt8]
    var position = 0
    var start = 0
    /// Width in bytes of the last rune read (0 at the end), for `backup()`.
    var width = 0
    var state = State.statements
    var parenDepth = 0
    var braceOpen = false
    var bracketOpen = false
    var gotColon = false

    init(_ input: [UInt8]) { self.input = input }

    /// The next token; after the end or an error, `.eof` forever.
    mutating func next() -> Token {
        while true {
            let produced: Token?
            switch state {
            case .done: return Token(kind: .eof, start: start, end: position)
            case .statements: produced = lexStatements()
            case .insideBraces: produced = lexInsideBraces()
            case .duration: produced = lexDuration()
            }
            if let produced { return produced }
        }
    }

    // MARK: reading runes

    /// Reads one rune (Go's `utf8.DecodeRune`: an invalid byte reads as U+FFFD of width 1).
    mutating func nextRune() -> Int32 {
        guard position < input.count else { width = 0; return Lexer.eof }
        let (rune, size) = Lexer.decodeRune(input, at: position)
        width = size
        position += size
        return rune
    }

    mutating func peek() -> Int32 {
        let rune = nextRune()
        backup()
        return rune
    }

    mutating func backup() { position -= width }

    mutating func accept(_ valid: String) -> Bool {
        let rune = nextRune()
        if rune >= 0, rune < 0x80, valid.utf8.contains(UInt8(rune)) { return true }
        backup()
        return false
    }

    mutating func acceptRun(_ valid: String) {
        while accept(valid) {}
    }

    mutating func emit(_ kind: Token.Kind) -> Token {
        let token = Token(kind: kind, start: start, end: position)
        start = position
        return token
    }

    /// An error token; lexing stops.
    mutating func error(_ message: String) -> Token {
        state = .done
        return Token(kind: .error, start: start, end: position, message: message)
    }

    mutating func ignore() { start = position }

    mutating func skipSpaces() {
        while Lexer.isSpace(peek()) { _ = nextRune() }
        ignore()
    }

    // MARK: states

    private mutating func lexStatements() -> Token? {
        if braceOpen { state = .insideBraces; return nil }
        if position < input.count, input[position] == UInt8(ascii: "#") { return lexLineComment() }
        let rune = nextRune()
        switch rune {
        case Lexer.eof:
            if parenDepth != 0 { return error("unclosed left parenthesis") }
            if bracketOpen { return error("unclosed left bracket") }
            state = .done
            return emit(.eof)
        case 0x2C: return emit(.comma)
        case _ where Lexer.isSpace(rune): skipSpaces(); return nil
        case 0x2A: return emit(.mul)
        case 0x2F: return emit(.div)
        case 0x25: return emit(.mod)
        case 0x2B: return emit(.add)
        case 0x2D: return emit(.sub)
        case 0x5E: return emit(.pow)
        case 0x3D:  // =
            let following = peek()
            if following == 0x3D { _ = nextRune(); return emit(.eqlc) }
            if following == 0x7E { return error("unexpected character after '=': \(GoQuote.rune(following))") }
            return emit(.equal)
        case 0x21:  // !
            let following = nextRune()
            if following == 0x3D { return emit(.neq) }
            return error("unexpected character after '!': \(GoQuote.rune(following))")
        case 0x3C:
            if peek() == 0x3D { _ = nextRune(); return emit(.lte) }
            return emit(.lss)
        case 0x3E:
            if peek() == 0x3D { _ = nextRune(); return emit(.gte) }
            return emit(.gtr)
        case _ where Lexer.isDigit(rune) || (rune == 0x2E && Lexer.isDigit(peek())):
            backup()
            return lexNumberOrDuration()
        case 0x22, 0x27: return lexString(quote: rune)
        case 0x60: return lexRawString()
        case _ where Lexer.isAlpha(rune) || rune == 0x3A:
            if !bracketOpen {
                backup()
                return lexKeywordOrIdentifier()
            }
            if gotColon { return error("unexpected colon \(GoQuote.rune(rune))") }
            gotColon = true
            return emit(.colon)
        case 0x28:
            parenDepth += 1
            return emit(.leftParen)
        case 0x29:
            _ = emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { return error("unexpected right parenthesis \(GoQuote.rune(rune))") }
            return Token(kind: .rightParen, start: position - 1, end: position)
        case 0x7B:
            braceOpen = true
            state = .insideBraces
            return emit(.leftBrace)
        case 0x5B:
            if bracketOpen { return error("unexpected left bracket \(GoQuote.rune(rune))") }
            gotColon = false
            let token = emit(.leftBracket)
            if Lexer.isSpace(peek()) { skipSpaces() }
            bracketOpen = true
            state = .duration
            return token
        case 0x5D:
            if !bracketOpen { return error("unexpected right bracket \(GoQuote.rune(rune))") }
            bracketOpen = false
            return emit(.rightBracket)
        case 0x40: return emit(.at)
        default:
            return error("unexpected character: \(GoQuote.rune(rune))")
        }
    }

    private mutating func lexInsideBraces() -> Token? {
        if position < input.count, input[position] == UInt8(ascii: "#") { return lexLineComment() }
        let rune = nextRune()
        switch rune {
        case Lexer.eof: return error("unexpected end of input inside braces")
        case _ where Lexer.isSpace(rune): skipSpaces(); return nil
        case _ where Lexer.isAlpha(rune):
            while Lexer.isAlphaNumeric(nextRune()) {}
            backup()
            state = .statements
            return emit(.identifier)
        case 0x2C: return emit(.comma)
        case 0x22, 0x27: return lexString(quote: rune)
        case 0x60: return lexRawString()
        case 0x3D:
            if nextRune() == 0x7E { return emit(.eqlRegex) }
            backup()
            return emit(.equal)
        case 0x21:
            let following = nextRune()
            if following == 0x7E { return emit(.neqRegex) }
            if following == 0x3D { return emit(.neq) }
            return error("unexpected character after '!' inside braces: \(GoQuote.rune(following))")
        case 0x7B: return error("unexpected left brace \(GoQuote.rune(rune))")
        case 0x7D:
            braceOpen = false
            state = .statements
            return emit(.rightBrace)
        default:
            return error("unexpected character inside braces: \(GoQuote.rune(rune))")
        }
    }

    private mutating func lexLineComment() -> Token {
        position += 1
        var rune = nextRune()
        while rune != Lexer.eof, rune != 0x0D, rune != 0x0A { rune = nextRune() }
        backup()
        return emit(.comment)
    }

    private mutating func lexKeywordOrIdentifier() -> Token {
        while true {
            let rune = nextRune()
            if Lexer.isAlphaNumeric(rune) || rune == 0x3A { continue }
            backup()
            break
        }
        let word = input[start..<position]
        let lowered = String(decoding: word.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)
        if let keyword = Token.Kind.keywords[lowered] { return emit(keyword) }
        return emit(word.contains(UInt8(ascii: ":")) ? .metricIdentifier : .identifier)
    }

    // MARK: character classes

    static func isSpace(_ rune: Int32) -> Bool { rune == 0x20 || rune == 0x09 || rune == 0x0A || rune == 0x0D }
    static func isDigit(_ rune: Int32) -> Bool { rune >= 0x30 && rune <= 0x39 }
    static func isAlpha(_ rune: Int32) -> Bool {
        rune == 0x5F || (rune >= 0x61 && rune <= 0x7A) || (rune >= 0x41 && rune <= 0x5A)
    }
    static func isAlphaNumeric(_ rune: Int32) -> Bool { isAlpha(rune) || isDigit(rune) }

    /// Whether `text` can be a label name: a letter or `_`, then letters, digits and `_`.
    static func isLabel(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, isAlpha(Int32(first.value)) else { return false }
        return text.unicodeScalars.allSatisfy { isAlphaNumeric(Int32($0.value)) }
    }

    /// Go's `utf8.DecodeRune`: the rune at `index` and its width; invalid, overlong, surrogate or truncated
    /// sequences read as U+FFFD of width 1.
    static func decodeRune(_ bytes: [UInt8], at index: Int) -> (Int32, Int) {
        let first = bytes[index]
        if first < 0x80 { return (Int32(first), 1) }
        let invalid: (Int32, Int) = (0xFFFD, 1)
        let length: Int
        var value: UInt32
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch first {
        case 0xC2...0xDF: length = 2; value = UInt32(first & 0x1F)
        case 0xE0: length = 3; value = 0; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; value = UInt32(first & 0x0F)
        case 0xED: length = 3; value = 0x0D; upper = 0x9F
        case 0xF0: length = 4; value = 0; lower = 0x90
        case 0xF1...0xF3: length = 4; value = UInt32(first & 0x07)
        case 0xF4: length = 4; value = 4; upper = 0x8F
        default: return invalid
        }
        guard index + length <= bytes.count else { return invalid }
        for offset in 1..<length {
            let byte = bytes[index + offset]
            let (low, high) = offset == 1 ? (lower, upper) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= low, byte <= high else { return invalid }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        return (Int32(value), length)
    }
}
