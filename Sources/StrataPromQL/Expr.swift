/// A parsed PromQL expression: the syntax tree that the evaluator walks.
///
/// Made by `PromQLParser.parse(_:)`, which has already checked it the way Prometheus 2.42 does (types of
/// operands and arguments, modifiers, selectors), so a tree in hand is well formed. Its text is
/// `description` (Prometheus's `String()`) or `pretty()` (`format_query`).
///
/// ```swift
/// let expr = try PromQLParser.parse("sum by (job) (rate(http_requests_total[5m]))")
/// if case .aggregate(let sum) = expr { print(sum.op, sum.grouping) }  // sum ["job"]
/// ```
public indirect enum Expr: Sendable {
    /// `sum by (job) (x)`, `topk(5, x)`.
    case aggregate(AggregateExpr)
    /// `a + on(job) b`, `x > bool 1`, `a and b`.
    case binary(BinaryExpr)
    /// `rate(x[5m])`, `time()`.
    case call(Call)
    /// `x[5m]`.
    case matrixSelector(MatrixSelector)
    /// `1`, `0x1F`, `Inf`.
    case number(NumberLiteral)
    /// `(a + b)`.
    case paren(ParenExpr)
    /// `"text"`.
    case string(StringLiteral)
    /// `rate(x[5m])[30m:1m]`.
    case subquery(SubqueryExpr)
    /// `-x`.
    case unary(UnaryExpr)
    /// `http_requests_total{job="api"}`.
    case vectorSelector(VectorSelector)

    /// What the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .aggregate: return .vector
        case .binary(let binary):
            return binary.lhs.type == .scalar && binary.rhs.type == .scalar ? .scalar : .vector
        case .call(let call): return call.function.returnType
        case .matrixSelector, .subquery: return .matrix
        case .number: return .scalar
        case .paren(let paren): return paren.expr.type
        case .string: return .string
        case .unary(let unary): return unary.expr.type
        case .vectorSelector: return .vector
        }
    }

    /// Where the expression is in the query, in bytes (as Prometheus's `PositionRange()`).
    public var positionRange: PositionRange {
        switch self {
        case .aggregate(let node): return node.positionRange
        case .binary(let node): return PositionRange(start: node.lhs.positionRange.start, end: node.rhs.positionRange.end)
        case .call(let node): return node.positionRange
        case .matrixSelector(let node): return node.positionRange
        case .number(let node): return node.positionRange
        case .paren(let node): return node.positionRange
        case .string(let node): return node.positionRange
        case .subquery(let node): return node.positionRange
        case .unary(let node): return PositionRange(start: node.startPosition, end: node.expr.positionRange.end)
        case .vectorSelector(let node): return node.positionRange
        }
    }

    /// The direct subexpressions, in Prometheus's order (`Children`): an aggregation's body before its parameter.
    public var children: [Expr] {
        switch self {
        case .aggregate(let node): return [node.expr] + (node.param.map { [$0] } ?? [])
        case .binary(let node): return [node.lhs, node.rhs]
        case .call(let node): return node.args
        case .matrixSelector(let node): return [.vectorSelector(node.selector)]
        case .number, .string, .vectorSelector: return []
        case .paren(let node): return [node.expr]
        case .subquery(let node): return [node.expr]
        case .unary(let node): return [node.expr]
        }
    }

    /// Every vector selector in the expression, depth first, as Prometheus's `ExtractSelectors` (with a range
    /// selector's own selector): what the evaluator asks the `Querier` for.
    public var selectors: [VectorSelector] {
        var found: [VectorSelector] = []
        var pending: [Expr] = [self]
        while let next = pending.popLast() {
            if case .vectorSelector(let selector) = next { found.append(selector) }
            pending.append(contentsOf: next.children.reversed())
        }
        return found
    }
}

/// A position in the query text: byte offsets from the start of its UTF-8, `end` exclusive.
public struct PositionRange: Sendable, Hashable {
    /// First byte.
    public var start: Int
    /// Just past the last byte.
    public var end: Int

    /// A range from `start` to `end`.
    public init(start: Int, end: Int) {
        self.start = start
        self.end = end
    }
}

/// The type of value an expression produces, named as Prometheus's documentation does in messages.
public enum ValueType: String, Sendable, Hashable {
    /// No value (only before checks).
    case none
    /// One number.
    case scalar
    /// One sample per series at one time ("instant vector").
    case vector
    /// Samples over a range per series ("range vector").
    case matrix
    /// A string.
    case string

    /// The name Prometheus's messages use: "instant vector", "range vector", "scalar", "string".
    public var documentedName: String {
        switch self {
        case .vector: return "instant vector"
        case .matrix: return "range vector"
        default: return rawValue
        }
    }
}
