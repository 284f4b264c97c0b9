/// The static checks Prometheus runs on a tree that parsed (its `checkAST`), in its order, so that the first
/// failing one is the error Prometheus reports: operand and argument types, modifiers that do not fit the
/// operator, selectors that would select everything.
///
/// It also settles each binary expression's matching as Prometheus does: set operators become many-to-many,
/// and an operation with a scalar side has no matching.
struct TypeChecker {
    let query: [UInt8]

    /// The checked, settled tree and its type.
    func check(_ expr: Expr) throws(ParseError) -> (expr: Expr, type: ValueType) {
        switch expr {
        case .aggregate(var node):
            node.expr = try expect(node.expr, .vector, in: "aggregation expression")
            if let param = node.param {
                switch node.op {
                case .topk, .bottomk, .quantile: node.param = try expect(param, .scalar, in: "aggregation parameter")
                case .countValues: node.param = try expect(param, .string, in: "aggregation parameter")
                default: break
                }
            }
            return (.aggregate(node), .vector)
        case .binary(let node):
            return try checkBinary(node)
        case .call(var node):
            try checkArgumentCount(node)
            let argTypes = node.function.argTypes
            for (index, arg) in node.args.enumerated() {
                if index >= argTypes.count, node.function.variadic == 0 { break }
                let type = argTypes[min(index, argTypes.count - 1)]
                node.args[index] = try expect(arg, type, in: "call to function \(GoQuote.string(node.function.name))")
            }
            return (.call(node), node.function.returnType)
        case .paren(var node):
            let (inner, type) = try check(node.expr)
            node.expr = inner
            return (.paren(node), type)
        case .unary(var node):
            let (inner, type) = try check(node.expr)
            guard type == .scalar || type == .vector else {
                throw error("unary expression only allowed on expressions of type scalar or instant vector, got \(GoQuote.string(type.documentedName))",
                            at: expr.positionRange)
            }
            node.expr = inner
            return (.unary(node), type)
        case .subquery(var node):
            let (inner, type) = try check(node.expr)
            guard type == .vector else {
                throw error("subquery is only allowed on instant vector, got \(type.rawValue) instead", at: expr.positionRange)
            }
            node.expr = inner
            return (.subquery(node), .matrix)
        case .matrixSelector(let node):
            try checkSelector(node.selector)
            return (expr, .matrix)
        case .vectorSelector(let node):
            try checkSelector(node)
            return (expr, .vector)
        case .number:
            return (expr, .scalar)
        case .string:
            return (expr, .string)
        }
    }

    private func expect(_ expr: Expr, _ wanted: ValueType, in context: String) throws(ParseError) -> Expr {
        let (checked, type) = try check(expr)
        guard type == wanted else {
            throw error("expected type \(wanted.documentedName) in \(context), got \(type.documentedName)", at: expr.positionRange)
        }
        return checked
    }

    private func checkArgumentCount(_ call: Call) throws(ParseError) {
        let function = call.function
        let declared = function.argTypes.count
        let name = GoQuote.string(function.name)
        let given = call.args.count
        if function.variadic == 0 {
            guard declared == given else {
                throw error("expected \(declared) argument(s) in call to \(name), got \(given)", at: call.positionRange)
            }
            return
        }
        let required = declared - 1
        if required > given {
            throw error("expected at least \(required) argument(s) in call to \(name), got \(given)", at: call.positionRange)
        }
        if function.variadic > 0, required + function.variadic < given {
            throw error("expected at most \(required + function.variadic) argument(s) in call to \(name), got \(given)",
                        at: call.positionRange)
        }
    }

    private func checkBinary(_ original: BinaryExpr) throws(ParseError) -> (expr: Expr, type: ValueType) {
        var node = original
        let (lhs, leftType) = try check(node.lhs)
        let (rhs, rightType) = try check(node.rhs)
        node.lhs = lhs
        node.rhs = rhs
        let whole = Expr.binary(original).positionRange
        if node.returnBool, !node.op.isComparison {
            throw error("bool modifier can only be used on comparison operators", at: operatorRange(original))
        }
        if node.op.isComparison, !node.returnBool, leftType == .scalar, rightType == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", at: operatorRange(original))
        }
        if var matching = node.matching {
            if node.op.isSetOperator, matching.cardinality == .oneToOne { matching.cardinality = .manyToMany }
            if matching.on, let label = matching.matchingLabels.first(where: matching.include.contains) {
                throw error("label \(GoQuote.string(label)) must not occur in ON and GROUP clause at once", at: operatorRange(original))
            }
            node.matching = matching
        }
        for (type, side) in [(leftType, original.lhs), (rightType, original.rhs)] where type != .scalar && type != .vector {
            throw error("binary expression must contain only scalar and instant vector types", at: side.positionRange)
        }
        if leftType != .vector || rightType != .vector {
            if let matching = node.matching, !matching.matchingLabels.isEmpty {
                throw error("vector matching only allowed between instant vectors", at: whole)
            }
            node.matching = nil
        } else if node.op.isSetOperator, let matching = node.matching {
            if matching.cardinality == .oneToMany || matching.cardinality == .manyToOne {
                throw error("no grouping allowed for \(GoQuote.string(node.op.rawValue)) operation", at: whole)
            }
        }
        if leftType == .scalar || rightType == .scalar, node.op.isSetOperator {
            throw error("set operator \(GoQuote.string(node.op.rawValue)) not allowed in binary scalar expression", at: whole)
        }
        return (.binary(node), leftType == .scalar && rightType == .scalar ? .scalar : .vector)
    }

    /// Where the operator is: from the end of the left operand, past white space (as Prometheus's `opRange`).
    private func operatorRange(_ node: BinaryExpr) -> PositionRange {
        var start = node.lhs.positionRange.end
        while start < query.count, [0x20, 0x09, 0x0A, 0x0D].contains(query[start]) { start += 1 }
        return PositionRange(start: start, end: start)
    }

    private func checkSelector(_ selector: VectorSelector) throws(ParseError) {
        if let name = selector.name {
            for matcher in selector.matchers.dropLast() where matcher.name == "__name__" {
                throw error("metric name must not be set twice: \(GoQuote.string(name)) or \(GoQuote.string(matcher.value))",
                            at: selector.positionRange)
            }
            return
        }
        guard selector.matchers.contains(where: { !$0.matches("") }) else {
            throw error("vector selector must contain at least one non-empty matcher", at: selector.positionRange)
        }
    }

    private func error(_ message: String, at range: PositionRange) -> ParseError {
        ParseError(message: message, positionRange: range, query: query)
    }
}
