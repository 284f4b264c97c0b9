/// `rate(http_requests_total[5m])`: a function applied to its arguments (already checked against
/// `function.argTypes`).
public struct Call: Sendable {
    /// The function.
    public var function: Function
    /// The arguments in order.
    public var args: [Expr]
    /// From the name to `)`.
    public var positionRange: PositionRange

    /// A call.
    public init(function: Function, args: [Expr], positionRange: PositionRange) {
        self.function = function
        self.args = args
        self.positionRange = positionRange
    }
}
