/// One lexical item of a PromQL query: its kind and where its bytes are in the UTF-8 input.
///
/// Error messages quote tokens exactly as Prometheus 2.42 does (`unexpected identifier "foo"`,
/// `unexpected <op:*>`, `unexpected end of input`), which is what `description(in:)` produces.
struct Token: Sendable {
    /// What the token is.
    enum Kind: Sendable, Equatable {
        case eof, error, comment, identifier, metricIdentifier, number, string, duration
        case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket, comma, equal, colon
        // Operators.
        case add, sub, mul, div, mod, pow, eqlc, neq, lte, lss, gte, gtr, eqlRegex, neqRegex, land, lor, lunless, atan2, at
        // Aggregators.
        case aggregator(AggregateOp)
        // Keywords.
        case bool, by, groupLeft, groupRight, ignoring, offset, on, without
        // @ preprocessors.
        case start, end
    }

    var kind: Kind
    /// Byte offset of the first byte.
    var start: Int
    /// Byte offset just past the last byte.
    var end: Int
    /// For `.error`: the lexer's message.
    var message: String = ""

    /// The token's bytes.
    func text(in input: [UInt8]) -> String { String(decoding: input[start..<end], as: UTF8.self) }
}

extension Token.Kind {
    /// Words the lexer turns into keywords, operators and aggregators (compared in lower case), as Prometheus.
    static let keywords: [String: Token.Kind] = [
        "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2,
        "sum": .aggregator(.sum), "avg": .aggregator(.avg), "count": .aggregator(.count), "min": .aggregator(.min),
        "max": .aggregator(.max), "group": .aggregator(.group), "stddev": .aggregator(.stddev),
        "stdvar": .aggregator(.stdvar), "topk": .aggregator(.topk), "bottomk": .aggregator(.bottomk),
        "count_values": .aggregator(.countValues), "quantile": .aggregator(.quantile),
        "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
        "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
        "start": .start, "end": .end,
        "inf": .number, "nan": .number,
    ]

    var isOperator: Bool {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow, .eqlc, .neq, .lte, .lss, .gte, .gtr, .eqlRegex, .neqRegex,
             .land, .lor, .lunless, .atan2, .at: return true
        default: return false
        }
    }

    var isKeyword: Bool {
        switch self {
        case .bool, .by, .groupLeft, .groupRight, .ignoring, .offset, .on, .without: return true
        default: return false
        }
    }

    /// Whether Prometheus has a fixed spelling for the kind (its `ItemTypeStr`); `@` has none.
    var hasFixedSpelling: Bool {
        switch self {
        case .eof, .error, .comment, .identifier, .metricIdentifier, .number, .string, .duration, .at: return false
        default: return true
        }
    }

    /// The words that may name a metric where an expression starts (`sum`, `by`, `offset`, … are metric
    /// names unless what follows makes them something else).
    var isMetricIdentifier: Bool {
        switch self {
        case .identifier, .metricIdentifier, .aggregator, .by, .land, .lor, .lunless, .offset, .without, .start, .end:
            return true
        default: return false
        }
    }

    /// The words that may be a label name in `by (…)`, `on (…)` and the like.
    var isMaybeLabel: Bool {
        switch self {
        case .identifier, .metricIdentifier, .aggregator, .bool, .by, .groupLeft, .groupRight, .ignoring, .land,
             .lor, .lunless, .offset, .on, .start, .end, .atan2: return true  // not `without`, as in Prometheus
        default: return false
        }
    }
}

extension Token {
    /// How an error message names this token, as Prometheus's `Item.desc()`.
    func description(in input: [UInt8]) -> String {
        if kind.hasFixedSpelling { return itemString(in: input) }
        switch kind {
        case .eof: return "end of input"
        case .error: return "error " + itemString(in: input)
        case .comment: return "comment " + itemString(in: input)
        case .identifier: return "identifier " + itemString(in: input)
        case .metricIdentifier: return "metric identifier " + itemString(in: input)
        case .string: return "string " + itemString(in: input)
        case .number: return "number " + itemString(in: input)
        case .duration: return "duration " + itemString(in: input)
        default: return "\"<Item 57385>\" " + itemString(in: input)  // `@`, whose kind Prometheus names by number
        }
    }

    /// Prometheus's `Item.String()`.
    private func itemString(in input: [UInt8]) -> String {
        let text = self.text(in: input)
        switch kind {
        case .eof: return "EOF"
        case .error: return message
        case .identifier, .metricIdentifier: return GoQuote.string(text)
        case .aggregator: return "<aggr:\(text)>"
        default: break
        }
        if kind.isKeyword { return "<\(text)>" }
        if kind.isOperator { return "<op:\(text)>" }
        if end - start > 10 { return GoQuote.string(text, maxRunes: 10) + "..." }
        return GoQuote.string(text)
    }
}
