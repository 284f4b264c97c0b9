import StrataTSDB

/// The recursive-descent parser behind `PromQLParser`: precedence climbing for binary operators, a loop for
/// the modifiers that follow an operand (`[5m]`, `[30m:1m]`, `offset`, `@`).
///
/// It reproduces the first error Prometheus's LALR parser reports, which depends on two things it keeps
/// as that parser does: tokens are read only when the grammar needs them (so a lexer error after a syntax
/// error is never seen), and a syntax error inside an aggregation that no closer rule explains is reported
/// "in aggregation". Every error ends the parse, since only the first is reported.
struct Parser {
    /// A subtree and its depth (a leaf is 1).
    struct Parsed {
        var expr: Expr
        var depth: Int
    }

    var lexer: Lexer
    let limits: PromQLParser.Limits
    var lookahead: Token?
    /// End of the last `)`, `]`, `}`, number or duration read: where Prometheus ends calls, aggregations and
    /// modified selectors.
    var lastClosing = 0
    /// Aggregations being parsed: a syntax error inside one is "in aggregation".
    var openAggregations = 0
    var nesting = 0

    init(_ input: [UInt8], limits: PromQLParser.Limits) {
        lexer = Lexer(input)
        self.limits = limits
    }

    var input: [UInt8] { lexer.input }

    mutating func parseQuery() throws(ParseError) -> Expr {
        if try peek().kind == .eof {
            throw error("no expression found in input", at: PositionRange(start: 0, end: 0))
        }
        let parsed = try parseExpr(minPrecedence: 0)
        let next = try peek()
        guard next.kind == .eof else { throw unexpected(next) }
        return parsed.expr
    }

    // MARK: tokens

    mutating func peek() throws(ParseError) -> Token {
        if let lookahead { return lookahead }
        var token = lexer.next()
        while token.kind == .comment { token = lexer.next() }
        switch token.kind {
        case .error:
            throw error(token.message, at: PositionRange(start: token.start, end: input.count))
        case .rightBrace, .rightParen, .rightBracket, .duration, .number:
            lastClosing = token.end
        default:
            break
        }
        lookahead = token
        return token
    }

    @discardableResult
    mutating func advance() throws(ParseError) -> Token {
        let token = try peek()
        lookahead = nil
        return token
    }

    /// Takes the next token if it is of `kind`.
    mutating func accept(_ kinds: Token.Kind...) throws(ParseError) -> Token? {
        kinds.contains(try peek().kind) ? try advance() : nil
    }

    // MARK: errors

    func error(_ message: String, at range: PositionRange) -> ParseError {
        ParseError(message: message, positionRange: range, query: input)
    }

    /// `unexpected <token>[ in <context>][, expected <expected>]`; without a context, "aggregation" when inside one.
    func unexpected(_ token: Token, context: String? = nil, expected: String? = nil) -> ParseError {
        var message = "unexpected " + token.description(in: input)
        if let context = context ?? (openAggregations > 0 ? "aggregation" : nil) { message += " in " + context }
        if let expected { message += ", expected " + expected }
        return error(message, at: PositionRange(start: token.start, end: token.end))
    }

    /// A node made of `children`, refused when it nests deeper than the limit.
    func node(_ expr: Expr, over children: [Parsed]) throws(ParseError) -> Parsed {
        let depth = (children.map(\.depth).max() ?? 0) + 1
        guard depth <= limits.maxDepth else { throw tooDeep(at: expr.positionRange.start) }
        return Parsed(expr: expr, depth: depth)
    }

    func tooDeep(at position: Int) -> ParseError {
        error("query nests more than \(limits.maxDepth) levels deep (parentheses, calls, operators and their chains); simplify it",
              at: PositionRange(start: position, end: position))
    }

    // MARK: expressions

    /// Operands joined by operators of at least `minPrecedence` (`^` to the right, the others to the left).
    mutating func parseExpr(minPrecedence: Int) throws(ParseError) -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= limits.maxDepth else { throw tooDeep(at: try peek().start) }
        var lhs = try parseUnary()
        while let op = Parser.binaryOp(try peek().kind), op.precedence >= minPrecedence {
            try advance()
            let (returnBool, matching) = try parseBinaryModifiers()
            let rhs = try parseExpr(minPrecedence: op == .pow ? op.precedence : op.precedence + 1)
            let binary = BinaryExpr(op: op, lhs: lhs.expr, rhs: rhs.expr, matching: matching, returnBool: returnBool)
            lhs = try node(.binary(binary), over: [lhs, rhs])
        }
        return lhs
    }

    /// `-x`, `+x` (binding looser than `^`, tighter than `*`), or an operand with its modifiers. A sign on a
    /// number literal becomes part of the literal.
    mutating func parseUnary() throws(ParseError) -> Parsed {
        let token = try peek()
        guard token.kind == .add || token.kind == .sub else { return try parseModifiers(of: try parsePrimary()) }
        try advance()
        let operand = try parseExpr(minPrecedence: BinaryOp.pow.precedence)
        if case .number(var literal) = operand.expr {
            if token.kind == .sub { literal.value *= -1 }
            literal.positionRange.start = token.start
            return Parsed(expr: .number(literal), depth: operand.depth)
        }
        let unary = UnaryExpr(op: token.kind == .sub ? .minus : .plus, expr: operand.expr, startPosition: token.start)
        return try node(.unary(unary), over: [operand])
    }

    mutating func parsePrimary() throws(ParseError) -> Parsed {
        let token = try peek()
        switch token.kind {
        case .number:
            try advance()
            let value = try number(token)
            return Parsed(expr: .number(NumberLiteral(value: value, positionRange: range(of: token))), depth: 1)
        case .string:
            try advance()
            let value = try unquote(token)
            return Parsed(expr: .string(StringLiteral(value: value, positionRange: range(of: token))), depth: 1)
        case .leftParen:
            try advance()
            let inner = try parseExpr(minPrecedence: 0)
            let close = try peek()
            guard close.kind == .rightParen else { throw unexpected(close) }
            try advance()
            return try node(.paren(ParenExpr(expr: inner.expr, positionRange: PositionRange(start: token.start, end: close.end))),
                            over: [inner])
        case .leftBrace:
            return Parsed(expr: .vectorSelector(try parseSelector(name: nil)), depth: 1)
        case .identifier:
            try advance()
            if try peek().kind == .leftParen { return try parseCall(name: token) }
            return Parsed(expr: .vectorSelector(try parseSelector(name: token)), depth: 1)
        case .aggregator(let op):
            try advance()
            switch try peek().kind {
            case .leftParen, .by, .without: return try parseAggregation(op, token: token)
            default: return Parsed(expr: .vectorSelector(try parseSelector(name: token)), depth: 1)
            }
        case _ where token.kind.isMetricIdentifier:
            try advance()
            return Parsed(expr: .vectorSelector(try parseSelector(name: token)), depth: 1)
        default:
            throw unexpected(token)
        }
    }

    func range(of token: Token) -> PositionRange { PositionRange(start: token.start, end: token.end) }

    /// Whether an expression can start with a token of `kind`.
    static func canStartExpression(_ kind: Token.Kind) -> Bool {
        switch kind {
        case .number, .string, .leftParen, .leftBrace, .add, .sub: return true
        default: return kind.isMetricIdentifier
        }
    }

    static func binaryOp(_ kind: Token.Kind) -> BinaryOp? {
        switch kind {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .atan2: return .atan2
        case .eqlc: return .eql
        case .neq: return .neq
        case .gtr: return .gtr
        case .lss: return .lss
        case .gte: return .gte
        case .lte: return .lte
        case .land: return .and
        case .lor: return .or
        case .lunless: return .unless
        default: return nil
        }
    }
}
