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
        func walk(_ expr: Expr) -> Expr {
            switch expr {
            case .vectorSelector(var selector):
                selector.at = at(selector.at)
                return .vectorSelector(selector)
            case .matrixSelector(var matrix):
                matrix.selector.at = at(matrix.selector.at)
                return .matrixSelector(matrix)
            case .subquery(var subquery):
                subquery.at = at(subquery.at)
                subquery.expr = walk(subquery.expr)
                return .subquery(subquery)
            case .aggregate(var aggregate):
                aggregate.expr = walk(aggregate.expr)
                aggregate.param = aggregate.param.map(walk)
                return .aggregate(aggregate)
            case .binary(var binary):
                binary.lhs = walk(binary.lhs)
                binary.rhs = walk(binary.rhs)
                return .binary(binary)
            case .call(var call):
                call.args = call.args.map(walk)
                return .call(call)
            case .paren(var paren):
                paren.expr = walk(paren.expr)
                return .paren(paren)
            case .unary(var unary):
                unary.expr = walk(unary.expr)
                return .unary(unary)
            case .number, .string:
                return expr
            }
        }
        return walk(expr)
    }
}
