/// Parses RE2 (Go `regexp/syntax`) pattern syntax into a `RegexNode`.
///
/// A recursive-descent parser over the pattern's Unicode scalars. Recursion happens only at groups, and
/// `Limits.maximumNesting` bounds it, so a pattern of 4,096 `(` cannot exhaust the stack. Repetition
/// counts are parsed with checked arithmetic and bounded by `Limits.maximumRepetition`.
struct RegexParser {
    /// Flags in force at a point of the pattern; `(?i)` changes them to the end of the enclosing group.
    struct Flags {
        /// `i`: case-insensitive.
        var caseInsensitive = false
        /// `s`: `.` also matches `\n`.
        var dotMatchesNewline = false
        /// `m`: `^` and `$` match at line boundaries.
        var multiline = false
        /// `U`: swaps greedy and lazy quantifiers (irrelevant to whether there is a match).
        var ungreedy = false
    }

    let scalars: [Unicode.Scalar]
    let limits: LinearRegex.Limits
    var position = 0
    var depth = 0
    var groupNames: Set<String> = []

    /// The tree for `pattern`, or the first syntax error in it.
    static func parse(_ pattern: String, limits: LinearRegex.Limits) throws(LinearRegexError) -> RegexNode {
        guard pattern.utf8.count <= limits.maximumPatternLength else {
            throw LinearRegexError(
                message: "pattern is too long: \(pattern.utf8.count) bytes, the limit is \(limits.maximumPatternLength)",
                offset: 0)
        }
        var parser = RegexParser(scalars: Array(pattern.unicodeScalars), limits: limits)
        let node = try parser.parseAlternation(flags: Flags())
        if parser.position < parser.scalars.count {  // only a `)` stops the top-level alternation early
            throw parser.error("unexpected ): `\(parser.text(parser.position, parser.scalars.count))`", at: parser.position)
        }
        return node
    }

    // MARK: Structure

    /// `a|b|c`, up to a `)` or the end; empty alternatives are the empty string.
    mutating func parseAlternation(flags: Flags) throws(LinearRegexError) -> RegexNode {
        var flags = flags
        var alternatives = [try parseConcatenation(&flags)]
        while peek == "|" {
            position += 1
            alternatives.append(try parseConcatenation(&flags))
        }
        return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
    }

    /// A sequence of quantified atoms, up to `|`, `)` or the end.
    mutating func parseConcatenation(_ flags: inout Flags) throws(LinearRegexError) -> RegexNode {
        var items: [RegexNode] = []
        while let scalar = peek, scalar != "|", scalar != ")" {
            if scalar == "\\", position + 1 < scalars.count, scalars[position + 1] == "Q" {
                var quoted = parseQuoted(flags)
                guard let last = quoted.popLast() else { continue }
                items += quoted
                items.append(try parseQuantifiers(last))
                continue
            }
            guard let atom = try parseAtom(&flags) else { continue }  // a flag group such as `(?i)`
            items.append(try parseQuantifiers(atom))
        }
        switch items.count {
        case 0: return .empty
        case 1: return items[0]
        default: return .concatenation(items)
        }
    }

    /// Applies at most one quantifier (with an optional lazy `?`) to `atom`; RE2 rejects a second.
    mutating func parseQuantifiers(_ atom: RegexNode) throws(LinearRegexError) -> RegexNode {
        let operatorStart = position
        guard let (minimum, maximum) = try parseQuantifier() else { return atom }
        if peek == "?" { position += 1 }  // lazy: the same language
        let afterFirst = position
        if let next = peek, next == "*" || next == "+" || next == "?" || (next == "{" && isRepeatBrace(at: position)) {
            let first = text(operatorStart, afterFirst)
            if next == "+" && afterFirst - operatorStart == 1 {
                throw error("possessive quantifiers are not supported: `\(first)+`", at: operatorStart)
            }
            _ = try parseQuantifier()
            throw error("invalid nested repetition operator: `\(text(operatorStart, position))`", at: operatorStart)
        }
        return .repetition(atom, minimum: minimum, maximum: maximum)
    }

    /// Consumes `*`, `+`, `?` or a well-formed `{n}`, `{n,}`, `{n,m}`; nil (consuming nothing) otherwise.
    mutating func parseQuantifier() throws(LinearRegexError) -> (Int, Int?)? {
        switch peek {
        case "*": position += 1; return (0, nil)
        case "+": position += 1; return (1, nil)
        case "?": position += 1; return (0, 1)
        case "{": return try parseRepeatBrace()
        default: return nil
        }
    }

    /// One atom: a literal, `.`, a class, an escape, an anchor or a group. Nil for a flag-only group.
    mutating func parseAtom(_ flags: inout Flags) throws(LinearRegexError) -> RegexNode? {
        let start = position
        let scalar = scalars[position]
        switch scalar {
        case "(":
            return try parseGroup(&flags)
        case "[":
            return try parseClass(flags)
        case ".":
            position += 1
            return .characters(flags.dotMatchesNewline ? .any : .anyExceptNewline)
        case "^":
            position += 1
            return .assertion(flags.multiline ? .beginLine : .beginText)
        case "$":
            position += 1
            return .assertion(flags.multiline ? .endLine : .endText)
        case "\\":
            return try parseEscape(flags)
        case "*", "+", "?":
            throw error("missing argument to repetition operator: `\(scalar)`", at: start)
        case "{" where isRepeatBrace(at: position):
            _ = try parseRepeatBrace()
            throw error("missing argument to repetition operator: `\(text(start, position))`", at: start)
        default:
            position += 1
            return literal(scalar.value, flags)
        }
    }

    /// A single scalar, with its case variants under `(?i)`.
    func literal(_ value: UInt32, _ flags: Flags) -> RegexNode {
        let set = CharacterClass(scalar: value)
        return .characters(flags.caseInsensitive ? set.caseFolded() : set)
    }

    // MARK: Repetition counts

    /// Whether `{` at `index` starts a well-formed `{n}`, `{n,}` or `{n,m}`; otherwise it is a literal.
    func isRepeatBrace(at index: Int) -> Bool {
        var index = index + 1
        func digits() -> Bool {
            let start = index
            while index < scalars.count, ("0"..."9").contains(scalars[index]) { index += 1 }
            return index > start
        }
        guard digits() else { return false }
        if index < scalars.count, scalars[index] == "," {
            index += 1
            _ = digits()
        }
        return index < scalars.count && scalars[index] == "}"
    }

    /// Parses `{n}`, `{n,}` or `{n,m}` at the current `{`, checking counts; nil if it is a literal `{`.
    mutating func parseRepeatBrace() throws(LinearRegexError) -> (Int, Int?)? {
        guard isRepeatBrace(at: position) else { return nil }
        let start = position
        position += 1
        let minimum = number()  // nil: too large for Int
        var maximum = minimum   // nil: unbounded (when `unbounded`) or too large
        var unbounded = false
        if peek == "," {
            position += 1
            unbounded = peek == "}"
            maximum = unbounded ? nil : number()
        }
        position += 1  // `}`
        let written = text(start, position)
        let limit = limits.maximumRepetition
        guard let minimum, minimum <= limit, unbounded || (maximum.map { $0 <= limit } ?? false) else {
            throw error("invalid repeat count: `\(written)` (counts may not exceed \(limit))", at: start)
        }
        let upper = unbounded ? nil : maximum
        if let upper, upper < minimum {
            throw error("invalid repeat count: `\(written)` (minimum exceeds maximum)", at: start)
        }
        return (minimum, upper)
    }

    /// A decimal number at the current position; nil if it overflows `Int`.
    private mutating func number() -> Int? {
        var value: Int? = 0
        while let scalar = peek, ("0"..."9").contains(scalar) {
            if let current = value {
                let (shifted, overflow1) = current.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = shifted.addingReportingOverflow(Int(scalar.value - 0x30))
                value = overflow1 || overflow2 ? nil : sum
            }
            position += 1
        }
        return value
    }

    // MARK: Helpers

    /// The scalar at the current position, if any.
    var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    /// The pattern text between two scalar indexes, for quoting in messages.
    func text(_ start: Int, _ end: Int) -> String {
        var result = String.UnicodeScalarView()
        result.append(contentsOf: scalars[start..<min(end, scalars.count)])
        return String(result)
    }

    /// An error at scalar index `index`, reported as a `Character` offset.
    func error(_ message: String, at index: Int) -> LinearRegexError {
        LinearRegexError(message: message, offset: text(0, index).count)
    }
}
