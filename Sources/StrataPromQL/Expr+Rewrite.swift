extension Expr {
    /// The expression rebuilt top-down: where `replace` returns a node, that node stands (and is not descended
    /// into); elsewhere the node is kept with its children rewritten the same way.
    ///
    /// ```swift
    /// // Every selector without `@` pinned to t (what is inside a subquery left alone):
    /// expr.rewritten { node in
    ///     if case .vectorSelector(var selector) = node { selector.at = selector.at ?? .timestamp(t); return .vectorSelector(selector) }
    ///     return nil
    /// }
    /// ```
    public func rewritten(_ replace: (Expr) -> Expr?) -> Expr {
        if let replaced = replace(self) { return replaced }
        switch self {
        case .aggregate(var node):
            node.expr = node.expr.rewritten(replace)
            node.param = node.param.map { $0.rewritten(replace) }
            return .aggregate(node)
        case .binary(var node):
            node.lhs = node.lhs.rewritten(replace)
            node.rhs = node.rhs.rewritten(replace)
            return .binary(node)
        case .call(var node):
            node.args = node.args.map { $0.rewritten(replace) }
            return .call(node)
        case .paren(var node):
            node.expr = node.expr.rewritten(replace)
            return .paren(node)
        case .unary(var node):
            node.expr = node.expr.rewritten(replace)
            return .unary(node)
        case .subquery(var node):
            node.expr = node.expr.rewritten(replace)
            return .subquery(node)
        case .matrixSelector, .vectorSelector, .number, .string:
            return self
        }
    }
}
