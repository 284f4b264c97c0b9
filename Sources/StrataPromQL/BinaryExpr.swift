/// `a + b`, `a > bool 1`, `a / on(job) group_left(team) b`, `a and b`: two operands and an operator.
public struct BinaryExpr: Sendable {
    /// The operator.
    public var op: BinaryOp
    /// The left operand.
    public var lhs: Expr
    /// The right operand.
    public var rhs: Expr
    /// How series of the two sides pair up; nil unless both sides are instant vectors. Set operators are always
    /// many-to-many.
    public var matching: VectorMatching?
    /// For comparisons: `bool` — give 0 or 1 rather than filter.
    public var returnBool: Bool

    /// A binary expression.
    public init(op: BinaryOp, lhs: Expr, rhs: Expr, matching: VectorMatching?, returnBool: Bool) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.matching = matching
        self.returnBool = returnBool
    }
}

/// The binary operators, spelled as in queries.
public enum BinaryOp: String, Sendable, Hashable, CaseIterable {
    /// Arithmetic.
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^", atan2
    /// Comparisons: filter, or 0/1 with `bool`.
    case eql = "==", neq = "!=", gtr = ">", lss = "<", gte = ">=", lte = "<="
    /// Set operations between instant vectors.
    case and, or, unless

    /// `==`, `!=`, `>`, `<`, `>=`, `<=`.
    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: return true
        default: return false
        }
    }

    /// `and`, `or`, `unless`.
    public var isSetOperator: Bool { self == .and || self == .or || self == .unless }

    /// Binding strength, higher binds tighter: `or` < `and`/`unless` < comparisons < `+ -` < `* / % atan2` < `^`.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }
}

/// How the series of two instant vectors pair up in a binary operation.
public struct VectorMatching: Sendable, Hashable {
    /// Which side may have several series per match.
    public enum Cardinality: String, Sendable, Hashable {
        /// Names as Prometheus prints them.
        case oneToOne = "one-to-one", manyToOne = "many-to-one", oneToMany = "one-to-many", manyToMany = "many-to-many"
    }

    /// `group_left` is many-to-one, `group_right` one-to-many, set operators many-to-many.
    public var cardinality: Cardinality
    /// The labels of `on (…)` or `ignoring (…)`.
    public var matchingLabels: [String]
    /// Whether `matchingLabels` are those to match on (`on`) rather than to ignore (`ignoring`).
    public var on: Bool
    /// The labels of `group_left (…)`/`group_right (…)` to copy from the "one" side.
    public var include: [String]

    /// A matching.
    public init(cardinality: Cardinality, matchingLabels: [String] = [], on: Bool = false, include: [String] = []) {
        self.cardinality = cardinality
        self.matchingLabels = matchingLabels
        self.on = on
        self.include = include
    }
}
