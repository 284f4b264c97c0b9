/// `rate(x[5m])[30m:1m]`: an instant-vector expression evaluated at steps over a range, giving a range vector.
public struct SubqueryExpr: Sendable {
    /// The expression evaluated at each step (an instant vector).
    public var expr: Expr
    /// How far back, in milliseconds (> 0).
    public var rangeMs: Int64
    /// The step in milliseconds; 0 when omitted (`[30m:]`: the evaluator's default resolution).
    public var stepMs: Int64
    /// The `offset` as written, in milliseconds (negative allowed; 0 when there is none).
    public var offsetMs: Int64
    /// The `@` modifier, if any.
    public var at: AtModifier?
    /// Where the subquery ends in the query (after `]` and its modifiers).
    public var endPosition: Int

    /// A subquery.
    public init(expr: Expr, rangeMs: Int64, stepMs: Int64, offsetMs: Int64 = 0, at: AtModifier? = nil, endPosition: Int) {
        self.expr = expr
        self.rangeMs = rangeMs
        self.stepMs = stepMs
        self.offsetMs = offsetMs
        self.at = at
        self.endPosition = endPosition
    }

    /// Where the subquery is in the query.
    public var positionRange: PositionRange { PositionRange(start: expr.positionRange.start, end: endPosition) }
}
