/// A PromQL function: its name, the types of its arguments and of its result, as Prometheus 2.42 declares
/// them (`promql/parser/functions.go`). The parser checks calls against it.
public struct Function: Sendable, Hashable {
    /// The name, as called.
    public let name: String
    /// The types of the arguments in order; with `variadic`, the last one repeats (or may be left out).
    public let argTypes: [ValueType]
    /// 0: exactly `argTypes.count` arguments. n > 0: the last argument may be left out, or repeated up to n
    /// times in all. -1: the last may repeat without bound.
    public let variadic: Int
    /// The type of the result.
    public let returnType: ValueType

    /// The function called `name`, if PromQL has one.
    public static func named(_ name: String) -> Function? { table[name] }

    /// Every function, by name.
    public static let all: [Function] = table.values.sorted { $0.name < $1.name }

    private static let table: [String: Function] = {
        var functions: [String: Function] = [:]
        func add(_ names: [String], _ argTypes: [ValueType], variadic: Int = 0, returns: ValueType = .vector) {
            for name in names {
                functions[name] = Function(name: name, argTypes: argTypes, variadic: variadic, returnType: returns)
            }
        }
        // Elementwise on an instant vector.
        add(["abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh", "deg", "exp",
             "floor", "histogram_count", "histogram_sum", "ln", "log10", "log2", "rad", "sgn", "sin", "sinh", "sort",
             "sort_desc", "sqrt", "tan", "tanh", "timestamp"], [.vector])
        // Over a range vector.
        add(["absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv", "idelta", "increase",
             "irate", "last_over_time", "max_over_time", "min_over_time", "present_over_time", "rate", "resets",
             "stddev_over_time", "stdvar_over_time", "sum_over_time"], [.matrix])
        // Calendar functions: the vector may be left out (then `vector(time())`).
        add(["day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year"],
            [.vector], variadic: 1)
        add(["clamp"], [.vector, .scalar, .scalar])
        add(["clamp_max", "clamp_min"], [.vector, .scalar])
        add(["histogram_fraction"], [.scalar, .scalar, .vector])
        add(["histogram_quantile"], [.scalar, .vector])
        add(["holt_winters"], [.matrix, .scalar, .scalar])
        add(["label_replace"], [.vector, .string, .string, .string, .string])
        add(["label_join"], [.vector, .string, .string, .string], variadic: -1)
        add(["pi", "time"], [], returns: .scalar)
        add(["predict_linear"], [.matrix, .scalar])
        add(["quantile_over_time"], [.scalar, .matrix])
        add(["round"], [.vector, .scalar], variadic: 1)
        add(["scalar"], [.vector], returns: .scalar)
        add(["vector"], [.scalar])
        return functions
    }()
}
