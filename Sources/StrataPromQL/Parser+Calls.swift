/// Function calls, aggregations and the label lists of `by`, `without`, `on`, `ignoring`, `group_left` and
/// `group_right`.
extension Parser {
    /// `name(args…)`; the name's `(` is next.
    mutating func parseCall(name: Token) throws(ParseError) -> Parsed {
        let args = try parseArguments()
        let functionName = name.text(in: input)
        guard let function = Function.named(functionName) else {
            throw error("unknown function with name \(GoQuote.string(functionName))", at: range(of: name))
        }
        let call = Call(function: function, args: args.map(\.expr), positionRange: PositionRange(start: name.start, end: lastClosing))
        return try node(.call(call), over: args)
    }

    /// `sum by (job) (x)`, `sum (x) without (job)`, `topk(3, x)`; the operator has been read.
    mutating func parseAggregation(_ op: AggregateOp, token: Token) throws(ParseError) -> Parsed {
        openAggregations += 1
        var grouping: [String] = []
        var without = false
        var modifierFirst = false
        if let modifier = try accept(.by, .without) {
            grouping = try parseGroupingLabels()
            without = modifier.kind == .without
            modifierFirst = true
        }
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open) }
        let args = try parseArguments()
        if !modifierFirst, let modifier = try accept(.by, .without) {
            grouping = try parseGroupingLabels()
            without = modifier.kind == .without
        }
        openAggregations -= 1
        let positionRange = PositionRange(start: token.start, end: lastClosing)
        guard !args.isEmpty else { throw error("no arguments for aggregate expression provided", at: positionRange) }
        let expected = op.takesParameter ? 2 : 1
        guard args.count == expected else {
            throw error("wrong number of arguments for aggregate expression provided, expected \(expected), got \(args.count)",
                        at: positionRange)
        }
        let aggregate = AggregateExpr(op: op, expr: args[expected - 1].expr, param: op.takesParameter ? args[0].expr : nil,
                                      grouping: grouping, without: without, positionRange: positionRange)
        return try node(.aggregate(aggregate), over: args)
    }

    /// `(expr, expr, …)` or `()`; a trailing comma is an error, as in Prometheus.
    private mutating func parseArguments() throws(ParseError) -> [Parsed] {
        try advance()
        var args: [Parsed] = []
        if try accept(.rightParen) != nil { return args }
        while true {
            args.append(try parseExpr(minPrecedence: 0))
            let next = try peek()
            switch next.kind {
            case .comma:
                try advance()
                // Prometheus takes a comma followed by anything that cannot start an argument as a trailing comma.
                if !Parser.canStartExpression(try peek().kind) {
                    throw error("trailing commas not allowed in function call args", at: range(of: next))
                }
            case .rightParen:
                try advance()
                return args
            default:
                throw unexpected(next)
            }
        }
    }

    /// `(label, …)` (a trailing comma allowed, keywords allowed as names).
    mutating func parseGroupingLabels() throws(ParseError) -> [String] {
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open, context: "grouping opts", expected: "\"(\"") }
        try advance()
        var labels: [String] = []
        if try accept(.rightParen) != nil { return labels }
        while true {
            let label = try peek()
            let text = label.text(in: input)
            guard label.kind.isMaybeLabel, Lexer.isLabel(text) else {
                throw unexpected(label, context: "grouping opts", expected: "label")
            }
            try advance()
            labels.append(text)
            let next = try peek()
            switch next.kind {
            case .comma:
                try advance()
                if try accept(.rightParen) != nil { return labels }
            case .rightParen:
                try advance()
                return labels
            default:
                throw unexpected(next, context: "grouping opts", expected: "\",\" or \")\"")
            }
        }
    }

    /// What may follow a binary operator: `bool`, then `on (…)`/`ignoring (…)`, then `group_left`/`group_right`
    /// with an optional label list. The matching is as written; the checker settles it once operand types are known.
    mutating func parseBinaryModifiers() throws(ParseError) -> (returnBool: Bool, matching: VectorMatching) {
        let returnBool = try accept(.bool) != nil
        var matching = VectorMatching(cardinality: .oneToOne)
        guard let clause = try accept(.on, .ignoring) else { return (returnBool, matching) }
        matching.matchingLabels = try parseGroupingLabels()
        matching.on = clause.kind == .on
        if let group = try accept(.groupLeft, .groupRight) {
            matching.cardinality = group.kind == .groupLeft ? .manyToOne : .oneToMany
            // The list is optional, but what follows must then start the right operand.
            let next = try peek()
            if next.kind == .leftParen || !Parser.canStartExpression(next.kind) { matching.include = try parseGroupingLabels() }
        }
        return (returnBool, matching)
    }
}
