/// A token inside `{{ … }}`.
struct TemplateToken: Sendable {
    enum Kind: Sendable, Equatable, CustomStringConvertible {
        case field(String), variable(String), identifier(String), string(String), number(Double)
        case dot, pipe, open, close, declare, assign

        var description: String {
            switch self {
            case .field(let name): "." + name
            case .variable(let name): name
            case .identifier(let name): name
            case .string(let text): text
            case .number(let value): "\(value)"
            case .dot: "."
            case .pipe: "|"
            case .open: "("
            case .close: ")"
            case .declare: ":="
            case .assign: "="
            }
        }
    }

    var kind: Kind
    /// Whether white space precedes it (`$labels.job` is one operand, `$labels .job` two).
    var spaceBefore: Bool
}

extension TemplateParser {
    static let open = Array("{{".utf8), close = Array("}}".utf8)

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    func starts(_ pattern: [UInt8], at index: Int) -> Bool {
        index + pattern.count <= text.count && Array(text[index..<index + pattern.count]) == pattern
    }

    /// Splits the text into text and actions (trimming around `{{-` and `-}}`, dropping comments).
    mutating func split() throws(TemplateError) {
        var textStart = 0
        var trimNext = false
        while position < text.count {
            guard starts(Self.open, at: position) else {
                if text[position] == 0x0A { line += 1 }
                position += 1
                continue
            }
            var chunk = String(decoding: text[textStart..<position], as: UTF8.self)
            if trimNext { chunk = String(chunk.drop(while: { $0.isWhitespace })) }
            var index = position + 2
            if index + 1 < text.count, text[index] == UInt8(ascii: "-"), Self.isSpace(text[index + 1]) {
                chunk = String(chunk.reversed().drop(while: { $0.isWhitespace }).reversed())
                index += 2
            }
            if !chunk.isEmpty { items.append(.text(chunk)) }
            let actionLine = line
            while index < text.count, Self.isSpace(text[index]), !starts(Self.close, at: index) { index += 1 }
            if starts(Array("/*".utf8), at: index) {
                guard let end = find(Array("*/".utf8), from: index + 2) else { throw error("unclosed comment") }
                index = end + 2
                var trimmed = false
                if index + 1 < text.count, Self.isSpace(text[index]), text[index + 1] == UInt8(ascii: "-") { index += 2; trimmed = true }
                guard starts(Self.close, at: index) else { throw error("comment ends before closing delimiter") }
                countLines(position, index)
                position = index + 2
                textStart = position
                trimNext = trimmed
                continue
            }
            let (tokens, end, trimmed) = try lexAction(from: index)
            items.append(.action(tokens, line: actionLine))
            countLines(position, end)
            position = end
            textStart = position
            trimNext = trimmed
        }
        var chunk = String(decoding: text[textStart..<text.count], as: UTF8.self)
        if trimNext { chunk = String(chunk.drop(while: { $0.isWhitespace })) }
        if !chunk.isEmpty { items.append(.text(chunk)) }
    }

    mutating func countLines(_ from: Int, _ to: Int) {
        for index in from..<min(to, text.count) where text[index] == 0x0A { line += 1 }
    }

    func find(_ pattern: [UInt8], from: Int) -> Int? {
        var index = from
        while index + pattern.count <= text.count {
            if starts(pattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// The tokens of the action starting at `start`, the index after its `}}`, and whether it ends with `-}}`.
    func lexAction(from start: Int) throws(TemplateError) -> ([TemplateToken], Int, Bool) {
        var tokens: [TemplateToken] = []
        var index = start
        var space = true
        while true {
            guard index < text.count else { throw error("unclosed action") }
            let byte = text[index]
            if Self.isSpace(byte) {
                if index + 3 < text.count + 0, text[index + 1] == UInt8(ascii: "-"), starts(Self.close, at: index + 2) {
                    return (tokens, index + 4, true)
                }
                space = true
                index += 1
                continue
            }
            if starts(Self.close, at: index) { return (tokens, index + 2, false) }
            let (kind, after) = try lexToken(at: index)
            tokens.append(TemplateToken(kind: kind, spaceBefore: space))
            space = false
            index = after
        }
    }

    func lexToken(at start: Int) throws(TemplateError) -> (TemplateToken.Kind, Int) {
        let byte = text[start]
        func word(from: Int) -> Int {
            var index = from
            while index < text.count, Self.isWordByte(text[index]) { index += 1 }
            return index
        }
        func string(_ from: Int, _ to: Int) -> String { String(decoding: text[from..<to], as: UTF8.self) }
        switch byte {
        case UInt8(ascii: "|"): return (.pipe, start + 1)
        case UInt8(ascii: "("): return (.open, start + 1)
        case UInt8(ascii: ")"): return (.close, start + 1)
        case UInt8(ascii: "="): return (.assign, start + 1)
        case UInt8(ascii: ":"):
            guard start + 1 < text.count, text[start + 1] == UInt8(ascii: "=") else { throw error("expected :=") }
            return (.declare, start + 2)
        case UInt8(ascii: "."):
            if start + 1 < text.count, (text[start + 1] >= 0x30 && text[start + 1] <= 0x39) { return try number(at: start) }
            let end = word(from: start + 1)
            return end == start + 1 ? (.dot, end) : (.field(string(start + 1, end)), end)
        case UInt8(ascii: "$"):
            let end = word(from: start + 1)
            return (.variable(string(start, end)), end)
        case UInt8(ascii: "\""), UInt8(ascii: "`"): return try quoted(at: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"): return try number(at: start)
        default:
            let end = word(from: start)
            guard end > start else { throw error("unexpected \(GoQuoteLite.rune(byte)) in command") }
            return (.identifier(string(start, end)), end)
        }
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x5F || byte >= 0x80
    }

    func number(at start: Int) throws(TemplateError) -> (TemplateToken.Kind, Int) {
        var index = start
        while index < text.count, Self.isWordByte(text[index]) || [UInt8(ascii: "."), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(text[index]) {
            if index > start, [UInt8(ascii: "+"), UInt8(ascii: "-")].contains(text[index]),
               ![UInt8(ascii: "e"), UInt8(ascii: "E")].contains(text[index - 1]) { break }
            index += 1
        }
        let literal = String(decoding: text[start..<index], as: UTF8.self)
        if let value = Double(literal) { return (.number(value), index) }
        if literal.hasPrefix("0x"), let value = Int64(literal.dropFirst(2), radix: 16) { return (.number(Double(value)), index) }
        throw error("bad number syntax: \"\(literal)\"")
    }

    func quoted(at start: Int) throws(TemplateError) -> (TemplateToken.Kind, Int) {
        let quote = text[start]
        var index = start + 1
        var out: [UInt8] = []
        while index < text.count {
            let byte = text[index]
            if byte == quote { return (.string(String(decoding: out, as: UTF8.self)), index + 1) }
            if quote == UInt8(ascii: "\""), byte == 0x0A { break }
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\"), index + 1 < text.count {
                index += 1
                switch text[index] {
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "r"): out.append(0x0D)
                default: out.append(text[index])
                }
                index += 1
                continue
            }
            out.append(byte)
            index += 1
        }
        throw error(quote == UInt8(ascii: "`") ? "unterminated raw quoted string" : "unterminated quoted string")
    }
}

/// Quoting a byte for a message.
enum GoQuoteLite {
    static func rune(_ byte: UInt8) -> String { "'" + String(decoding: [byte], as: UTF8.self) + "'" }
}
