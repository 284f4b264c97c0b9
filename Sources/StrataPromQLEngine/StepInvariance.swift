import StrataPromQL

/// Which expressions Prometheus evaluates once per query rather than per step (`preprocessExprHelper`): those
/// whose every selector and subquery is pinned by `@`, outside the functions whose result moves with the
/// evaluation time.
enum StepInvariance {
    /// Functions whose result depends on the evaluation time even when their arguments do not.
    static let timeDependent: Set<String> = ["days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour",
                                             "minute", "month", "year", "predict_linear", "time", "timestamp"]

    static func isInvariant(_ expr: Expr) -> Bool {
        switch expr {
        case .vectorSelector(let selector): return selector.at != nil
        case .matrixSelector(let selector): return selector.selector.at != nil
        case .subquery(let subquery): return subquery.at != nil
        case .aggregate(let aggregate): return isInvariant(aggregate.expr)
        case .binary(let binary): return isInvariant(binary.lhs) && isInvariant(binary.rhs)
        case .call(let call):
            return !timeDependent.contains(call.function.name) && call.args.allSatisfy(isInvariant)
        case .paren(let paren): return isInvariant(paren.expr)
        case .unary(let unary): return isInvariant(unary.expr)
        case .string, .number: return true
        }
    }

    static func isLiteral(_ expr: Expr) -> Bool {
        switch unwrapParens(expr) {
        case .string, .number: return true
        default: return false
        }
    }

    static func unwrapParens(_ expr: Expr) -> Expr {
        var current = expr
        while case .paren(let paren) = current { current = paren.expr }
        return current
    }
}
