/// `-x` or `+x` on an instant vector or scalar (the parser folds a sign on a number literal into the literal).
public struct UnaryExpr: Sendable {
    /// The sign.
    public enum Op: String, Sendable, Hashable {
        /// `+`: the value unchanged.
        case plus = "+"
        /// `-`: the value negated.
        case minus = "-"
    }

    /// The sign.
    public var op: Op
    /// The operand.
    public var expr: Expr
    /// Where the sign is.
    public var startPosition: Int

    /// A signed expression.
    public init(op: Op, expr: Expr, startPosition: Int) {
        self.op = op
        self.expr = expr
        self.startPosition = startPosition
    }
}
