import StrataPromQL

/// `@ start()` and `@ end()` replaced by the query's start and end, as Prometheus's preprocessing does.
enum AtResolution {
    static func resolve(_ expr: Expr, start: Int64, end: Int64) -> Expr {
        func at(_ modifier: AtModifier?) -> AtModifier? {
            switch modifier {
            case .start: return .timestamp(start)
            case .end: return .timestamp(end)
            default: return modifier
            }
        }
        func replace(_ node: Expr) -> Expr? {
            switch node {
            case .vectorSelector(var selector):
                selector.at = at(selector.at)
                return .vectorSelector(selector)
            case .matrixSelector(var matrix):
                matrix.selector.at = at(matrix.selector.at)
                return .matrixSelector(matrix)
            case .subquery(var subquery):
                subquery.at = at(subquery.at)
                subquery.expr = subquery.expr.rewritten(replace)
                return .subquery(subquery)
            default:
                return nil
            }
        }
        return expr.rewritten(replace)
    }
}
