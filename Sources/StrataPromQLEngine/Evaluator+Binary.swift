import Foundation
import StrataCore
import StrataPromQL

extension Evaluator {
    /// A binary operation by the types of its sides: scalar–scalar, vector–scalar (either way round) or
    /// vector–vector with matching (set operators, arithmetic, comparisons with or without `bool`).
    func evalBinary(_ binary: BinaryExpr) throws(EngineError) -> [Series] {
        let op = binary.op
        switch (binary.lhs.type, binary.rhs.type) {
        case (.scalar, .scalar):
            return try rangeEval([binary.lhs, binary.rhs]) { ts, vectors throws(EngineError) in
                let left = vectors[0].first?.v ?? .nan, right = vectors[1].first?.v ?? .nan
                return [StepElement(labels: Labels(), v: Self.scalarOperation(op, left, right), t: ts, key: 0)]
            }
        case (.vector, .scalar), (.scalar, .vector):
            let swapped = binary.lhs.type == .scalar
            return try rangeEval([binary.lhs, binary.rhs]) { ts, vectors throws(EngineError) in
                let vector = swapped ? vectors[1] : vectors[0]
                let scalar = (swapped ? vectors[0] : vectors[1]).first?.v ?? .nan
                return Self.vectorScalar(op, vector, scalar, swapped: swapped, returnBool: binary.returnBool, ts: ts)
            }
        default:
            let matching = binary.matching ?? VectorMatching(cardinality: op.isSetOperator ? .manyToMany : .oneToOne)
            let names = Set(matching.matchingLabels)
            let on = matching.on
            return try rangeEval([binary.lhs, binary.rhs], key: { $0.signature(on: on, names) }) { ts, vectors throws(EngineError) in
                switch op {
                case .and: return Self.and(vectors[0], vectors[1])
                case .or: return Self.or(vectors[0], vectors[1])
                case .unless: return Self.unless(vectors[0], vectors[1])
                default: return try Self.vectorVector(op, vectors[0], vectors[1], matching, returnBool: binary.returnBool, ts: ts)
                }
            }
        }
    }

    static func and(_ lhs: [StepElement], _ rhs: [StepElement]) -> [StepElement] {
        if lhs.isEmpty || rhs.isEmpty { return [] }
        let right = Set(rhs.map(\.key))
        return lhs.filter { right.contains($0.key) }
    }

    static func or(_ lhs: [StepElement], _ rhs: [StepElement]) -> [StepElement] {
        if lhs.isEmpty { return rhs }
        if rhs.isEmpty { return lhs }
        let left = Set(lhs.map(\.key))
        return lhs + rhs.filter { !left.contains($0.key) }
    }

    static func unless(_ lhs: [StepElement], _ rhs: [StepElement]) -> [StepElement] {
        if lhs.isEmpty || rhs.isEmpty { return lhs }
        let right = Set(rhs.map(\.key))
        return lhs.filter { !right.contains($0.key) }
    }

    /// Arithmetic and comparison between two vectors, one-to-one or many-to-one (`group_left`; `group_right`
    /// swaps the sides), with Prometheus's errors for matches that are not unique.
    static func vectorVector(_ op: BinaryOp, _ lhsIn: [StepElement], _ rhsIn: [StepElement], _ matching: VectorMatching,
                             returnBool: Bool, ts: Int64) throws(EngineError) -> [StepElement] {
        if lhsIn.isEmpty || rhsIn.isEmpty { return [] }
        let oneToMany = matching.cardinality == .oneToMany
        let (lhs, rhs) = oneToMany ? (rhsIn, lhsIn) : (lhsIn, rhsIn)
        var right: [Int: StepElement] = [:]
        right.reserveCapacity(rhs.count)
        for element in rhs {
            if let duplicate = right[element.key] {
                let side = oneToMany ? "left" : "right"
                let names = Set(matching.matchingLabels)
                let group = matching.on ? element.labels.keeping(names)
                    : element.labels.removing(names.union([Labels.metricName]))
                throw .execution("found duplicate series for the match group \(group.promDescription) on the \(side) hand-side of the operation: [\(element.labels.promDescription), \(duplicate.labels.promDescription)];many-to-many matching not allowed: matching labels must be unique on one side")
            }
            right[element.key] = element
        }
        var matched: [Int: Set<Labels>] = [:]
        var output: [StepElement] = []
        for element in lhs {
            guard let other = right[element.key] else { continue }
            let (left, rightValue) = oneToMany ? (other.v, element.v) : (element.v, other.v)
            var (value, keep) = elementOperation(op, left, rightValue)
            if returnBool {
                value = keep ? 1 : 0
            } else if !keep {
                continue
            }
            var labels = resultLabels(element.labels, other.labels, op, matching)
            if returnBool { labels = labels.droppingName }
            if matching.cardinality == .oneToOne {
                if matched[element.key] != nil {
                    throw .execution("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                }
                matched[element.key] = []
            } else if !matched[element.key, default: []].insert(labels).inserted {
                throw .execution("multiple matches for labels: grouping labels must ensure unique matches")
            }
            output.append(StepElement(labels: labels, v: value, t: ts, key: 0))
        }
        return output
    }

    /// The labels of a vector–vector result: the "many" side's, without the name for arithmetic, reduced to the
    /// `on` labels (or without the `ignoring` ones) when one-to-one, with the `group_x` labels from the "one" side.
    static func resultLabels(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOp, _ matching: VectorMatching) -> Labels {
        var labels = dropsName(op) ? lhs.droppingName : lhs
        if matching.cardinality == .oneToOne {
            let names = Set(matching.matchingLabels)
            labels = matching.on ? labels.keeping(names) : labels.removing(names)
        }
        for name in matching.include {
            labels = labels.with(name, rhs[name] ?? "")
        }
        return labels
    }

    /// A vector with a scalar: arithmetic drops the name; a comparison filters (keeping the vector's value) or,
    /// with `bool`, gives 0 or 1 without the name.
    static func vectorScalar(_ op: BinaryOp, _ vector: [StepElement], _ scalar: Double, swapped: Bool,
                             returnBool: Bool, ts: Int64) -> [StepElement] {
        var output: [StepElement] = []
        output.reserveCapacity(vector.count)
        for element in vector {
            let (left, right) = swapped ? (scalar, element.v) : (element.v, scalar)
            var (value, keep) = elementOperation(op, left, right)
            if op.isComparison && swapped { value = right }
            if returnBool {
                value = keep ? 1 : 0
                keep = true
            }
            guard keep else { continue }
            let labels = dropsName(op) || returnBool ? element.labels.droppingName : element.labels
            output.append(StepElement(labels: labels, v: value, t: ts, key: 0))
        }
        return output
    }

    /// Whether the operator's result loses the metric name (arithmetic does, comparisons do not).
    static func dropsName(_ op: BinaryOp) -> Bool {
        switch op {
        case .add, .sub, .mul, .div, .pow, .mod: return true
        default: return false
        }
    }

    /// The operator on two values: the result and, for comparisons, whether it holds (the left value is kept).
    static func elementOperation(_ op: BinaryOp, _ lhs: Double, _ rhs: Double) -> (Double, Bool) {
        switch op {
        case .add: return (lhs + rhs, true)
        case .sub: return (lhs - rhs, true)
        case .mul: return (lhs * rhs, true)
        case .div: return (lhs / rhs, true)
        case .pow: return (Foundation.pow(lhs, rhs), true)
        case .mod: return (GoMath.mod(lhs, rhs), true)
        case .atan2: return (Foundation.atan2(lhs, rhs), true)
        case .eql: return (lhs, lhs == rhs)
        case .neq: return (lhs, lhs != rhs)
        case .gtr: return (lhs, lhs > rhs)
        case .lss: return (lhs, lhs < rhs)
        case .gte: return (lhs, lhs >= rhs)
        case .lte: return (lhs, lhs <= rhs)
        case .and, .or, .unless: return (.nan, false)
        }
    }

    /// The operator on two scalars (comparisons give 0 or 1; the parser requires `bool` for them).
    static func scalarOperation(_ op: BinaryOp, _ lhs: Double, _ rhs: Double) -> Double {
        let (value, keep) = elementOperation(op, lhs, rhs)
        return op.isComparison ? (keep ? 1 : 0) : value
    }
}
