/// `(a + b)`: an expression in parentheses, kept so that printing gives them back.
public struct ParenExpr: Sendable {
    /// The expression inside.
    public var expr: Expr
    /// From `(` to `)`.
    public var positionRange: PositionRange

    /// A parenthesized expression.
    public init(expr: Expr, positionRange: PositionRange) {
        self.expr = expr
        self.positionRange = positionRange
    }
}
