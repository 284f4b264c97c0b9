import StrataCore
import StrataTSDB

/// Selectors and what follows an operand: `{…}` matchers, `[5m]`, `[30m:1m]`, `offset`, `@`; and the values
/// of literals, with Prometheus's messages at the literal's position.
extension Parser {
    /// `name`, `name{…}` or `{…}`: the matchers, the name's appended last.
    mutating func parseSelector(name: Token?) throws(ParseError) -> VectorSelector {
        var matchers: [LabelMatcher] = []
        var positionRange = name.map(range(of:)) ?? PositionRange(start: 0, end: 0)
        if let brace = try accept(.leftBrace) {
            matchers = try parseMatchers()
            positionRange = PositionRange(start: name?.start ?? brace.start, end: lastClosing)
        }
        let metric = name.map { $0.text(in: input) }
        if let metric { matchers.append(try! LabelMatcher("__name__", .equal, metric)) }
        return VectorSelector(name: metric, matchers: matchers, positionRange: positionRange)
    }

    /// The matchers after `{`, through `}` (a trailing comma allowed).
    private mutating func parseMatchers() throws(ParseError) -> [LabelMatcher] {
        var matchers: [LabelMatcher] = []
        if try accept(.rightBrace) != nil { return matchers }
        while true {
            let label = try peek()
            guard label.kind == .identifier else {
                throw unexpected(label, context: "label matching", expected: "identifier or \"}\"")
            }
            try advance()
            let opToken = try peek()
            let op: LabelMatcher.Operator
            switch opToken.kind {
            case .equal: op = .equal
            case .neq: op = .notEqual
            case .eqlRegex: op = .matchesRegex
            case .neqRegex: op = .notMatchesRegex
            default: throw unexpected(opToken, context: "label matching", expected: "label matching operator")
            }
            try advance()
            let valueToken = try peek()
            guard valueToken.kind == .string else { throw unexpected(valueToken, context: "label matching", expected: "string") }
            try advance()
            matchers.append(try matcher(label: label, op: op, value: valueToken))
            let separator = try peek()
            if separator.kind == .comma {
                try advance()
                if try accept(.rightBrace) != nil { return matchers }
                continue
            }
            guard separator.kind == .rightBrace else {
                throw unexpected(separator, context: "label matching", expected: "\",\" or \"}\"")
            }
            try advance()
            return matchers
        }
    }

    private func matcher(label: Token, op: LabelMatcher.Operator, value: Token) throws(ParseError) -> LabelMatcher {
        let name = label.text(in: input)
        let text = try unquote(value)
        do throws(SelectorError) {
            return try LabelMatcher(name, op, text)
        } catch {
            throw self.error("error parsing regexp: \(Parser.goRegexpMessage(pattern: text, fallback: error.message))",
                             at: PositionRange(start: label.start, end: value.end))
        }
    }

    /// Go's message for a pattern its `regexp` refuses, as near as `LinearRegex` tells: Prometheus anchors the
    /// pattern (`^(?:…)$`) before compiling it, so the quoted text is of the anchored pattern; Go quotes the
    /// whole of it for a missing `)`, calls a backreference an unknown escape, and adds no explanations.
    static func goRegexpMessage(pattern: String, fallback: String) -> String {
        let anchored = "^(?:" + pattern + ")$"
        var reason = fallback
        do throws(LinearRegexError) { _ = try LinearRegex(anchored) } catch { reason = error.message }
        let goWords = [("backreferences are not supported", "invalid escape sequence"),
                       ("possessive quantifiers are not supported", "invalid nested repetition operator"),
                       ("unsupported Unicode class", "invalid character class range")]
        for (ours, go) in goWords where reason.hasPrefix(ours) { reason = go + reason.dropFirst(ours.count) }
        if !reason.hasPrefix("backreferences"), let colon = reason.firstIndex(of: ":"),
           reason[..<colon].hasSuffix(" are not supported") {
            reason = "invalid or unsupported Perl syntax" + reason[colon...]
        }
        for whole in ["missing closing )", "unexpected )"] where reason.hasPrefix(whole + ":") {
            reason = whole + ": `\(anchored)`"
        }
        let characters = Array(reason)
        if characters.last == ")", let cut = characters.indices.dropLast(2).last(where: {
            characters[$0] == "`" && characters[$0 + 1] == " " && characters[$0 + 2] == "("
        }) {
            reason = String(characters[...cut])
        }
        return reason
    }
    /// `[range]`, `[range:step]`, `offset d`, `@ t` after an operand, in any number and order.
    mutating func parseModifiers(of operand: Parsed) throws(ParseError) -> Parsed {
        var current = operand
        while true {
            switch try peek().kind {
            case .leftBracket: current = try parseRange(of: current)
            case .offset: current.expr = try parseOffset(of: current.expr)
            case .at: current.expr = try parseAt(of: current.expr)
            default: return current
            }
        }
    }

    private mutating func parseRange(of operand: Parsed) throws(ParseError) -> Parsed {
        let open = try advance()
        let rangeToken = try peek()
        guard rangeToken.kind == .duration else { throw unexpected(rangeToken, context: "subquery selector", expected: "duration") }
        try advance()
        let rangeMs = try duration(rangeToken)
        let next = try peek()
        if next.kind == .rightBracket {
            try advance()
            var problem: String?
            if case .vectorSelector(let selector) = operand.expr {
                if selector.offsetMs != 0 {
                    problem = "no offset modifiers allowed before range"
                } else if case .timestamp = selector.at {
                    problem = "no @ modifiers allowed before range"
                }
                if problem == nil {
                    let matrix = MatrixSelector(selector: selector, rangeMs: rangeMs, endPosition: lastClosing)
                    return try node(.matrixSelector(matrix), over: [operand])
                }
            }
            throw error(problem ?? "ranges only allowed for vector selectors", at: PositionRange(start: open.start, end: next.end))
        }
        guard next.kind == .colon else { throw unexpected(next, context: "subquery or range", expected: "\":\" or \"]\"") }
        try advance()
        var stepMs: Int64 = 0
        let stepToken = try peek()
        if stepToken.kind == .duration {
            try advance()
            stepMs = try duration(stepToken)
            guard try peek().kind == .rightBracket else {
                throw unexpected(try peek(), context: "subquery selector", expected: "\"]\"")
            }
        } else if stepToken.kind != .rightBracket {
            throw unexpected(stepToken, context: "subquery selector", expected: "duration or \"]\"")
        }
        let close = try advance()
        let subquery = SubqueryExpr(expr: operand.expr, rangeMs: rangeMs, stepMs: stepMs, endPosition: close.start + 1)
        return try node(.subquery(subquery), over: [operand])
    }

    private mutating func parseOffset(of expr: Expr) throws(ParseError) -> Expr {
        try advance()
        var token = try peek()
        let negative = token.kind == .sub
        if negative {
            try advance()
            token = try peek()
        }
        guard token.kind == .duration else { throw unexpected(token, context: "offset", expected: "duration") }
        try advance()
        let magnitude = try duration(token)
        let offset = negative ? -magnitude : magnitude
        return try modify(expr, preceded: "offset", alreadySet: "offset may not be set multiple times") { _, offsetMs in
            guard offsetMs == 0 else { return false }
            offsetMs = offset
            return true
        }
    }

    private mutating func parseAt(of expr: Expr) throws(ParseError) -> Expr {
        try advance()
        let token = try peek()
        let at: AtModifier
        switch token.kind {
        case .number, .add, .sub:
            try advance()
            var numberToken = token
            if token.kind != .number {
                numberToken = try peek()
                guard numberToken.kind == .number else { throw unexpected(numberToken, context: "@", expected: "timestamp") }
                try advance()
            }
            let seconds = try number(numberToken) * (token.kind == .sub ? -1 : 1)
            if !seconds.isFinite || seconds >= 0x1p63 || seconds <= -0x1p63 {
                throw error("timestamp out of bounds for @ modifier: \(GoFloat.fixed(seconds, decimals: 6))", at: expr.positionRange)
            }
            at = .timestamp(Parser.milliseconds(fromSeconds: seconds))
        case .start, .end:
            try advance()
            for expected in [Token.Kind.leftParen, .rightParen] {
                let next = try peek()
                guard next.kind == expected else { throw unexpected(next, context: "@", expected: "timestamp") }
                try advance()
            }
            at = token.kind == .start ? .start : .end
        default:
            throw unexpected(token, context: "@", expected: "timestamp")
        }
        return try modify(expr, preceded: "@", alreadySet: "@ <timestamp> may not be set multiple times") { current, _ in
            guard current == nil else { return false }
            current = at
            return true
        }
    }

    /// Sets a modifier of the selector, range selector or subquery `expr` through `set` (false: it was set
    /// already), and ends `expr` where the modifier ends.
    private func modify(_ expr: Expr, preceded modifier: String, alreadySet: String,
                        _ set: (inout AtModifier?, inout Int64) -> Bool) throws(ParseError) -> Expr {
        let modified: Expr
        var done = false
        switch expr {
        case .vectorSelector(var selector):
            done = set(&selector.at, &selector.offsetMs)
            selector.positionRange.end = lastClosing
            modified = .vectorSelector(selector)
        case .matrixSelector(var matrix):
            done = set(&matrix.selector.at, &matrix.selector.offsetMs)
            matrix.endPosition = lastClosing
            modified = .matrixSelector(matrix)
        case .subquery(var subquery):
            done = set(&subquery.at, &subquery.offsetMs)
            subquery.endPosition = lastClosing
            modified = .subquery(subquery)
        default:
            throw error("\(modifier) modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                        at: expr.positionRange)
        }
        guard done else { throw error(alreadySet, at: expr.positionRange) }
        return modified
    }

    /// Prometheus's `timestamp.FromFloatSeconds`: seconds × 1000 rounded half away from zero; a product beyond
    /// 64 bits becomes the smallest Int64, as Go's conversion does on amd64.
    static func milliseconds(fromSeconds seconds: Double) -> Int64 {
        let product = (seconds * 1000).rounded()
        guard product >= -0x1p63, product < 0x1p63 else { return .min }
        return Int64(product)
    }

    // MARK: literal values

    func number(_ token: Token) throws(ParseError) -> Double {
        switch NumberLiteral.value(of: token.text(in: input)) {
        case .success(let value): return value
        case .failure(let failure): throw error("error parsing number: \(failure.message)", at: range(of: token))
        }
    }

    func duration(_ token: Token) throws(ParseError) -> Int64 {
        switch DurationLiteral.milliseconds(token.text(in: input)) {
        case .success(let value): return value
        case .failure(let failure): throw error(failure.message, at: range(of: token))
        }
    }

    func unquote(_ token: Token) throws(ParseError) -> String {
        guard let value = StringLiteral.unquote(input[token.start..<token.end]) else {
            throw error("error unquoting string \(GoQuote.string(token.text(in: input))): invalid syntax", at: range(of: token))
        }
        return value
    }
}
