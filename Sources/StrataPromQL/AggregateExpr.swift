/// `sum by (job) (x)`, `topk(3, x)`, `count_values("v", x)`: an aggregation over the series of an instant vector.
public struct AggregateExpr: Sendable {
    /// The aggregation.
    public var op: AggregateOp
    /// The vector aggregated.
    public var expr: Expr
    /// The parameter of `topk`, `bottomk`, `quantile` (a scalar) and `count_values` (a string); nil for the others.
    public var param: Expr?
    /// The labels of `by (…)` or `without (…)`, as written.
    public var grouping: [String]
    /// Whether `grouping` lists the labels to drop (`without`) rather than those to keep (`by`).
    public var without: Bool
    /// From the operator to its last `)`.
    public var positionRange: PositionRange

    /// An aggregation.
    public init(op: AggregateOp, expr: Expr, param: Expr?, grouping: [String], without: Bool, positionRange: PositionRange) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.positionRange = positionRange
    }
}

/// The aggregation operators of PromQL.
public enum AggregateOp: String, Sendable, Hashable, CaseIterable {
    /// Over the series of each group: the sum, mean, number, least, greatest, 1, population standard
    /// deviation and variance of the values.
    case sum, avg, count, min, max, group, stddev, stdvar
    /// The k series of largest or smallest value (k the parameter), and the φ-quantile (φ the parameter).
    case topk, bottomk, quantile
    /// The number of series per distinct value, the value in the label named by the parameter.
    case countValues = "count_values"

    /// Whether the operator takes a parameter before the vector (`topk(3, x)`).
    public var takesParameter: Bool {
        switch self {
        case .topk, .bottomk, .quantile, .countValues: return true
        default: return false
        }
    }
}
