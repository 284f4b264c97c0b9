import StrataPromQL

/// A tree in the neutral encoding of `Cases/parse_test.json` (keys as in Prometheus's AST, durations and
/// timestamps in milliseconds, matchers as [name, op, value]), so that trees from Go test tables compare.
enum TreeDump {
    static func dump(_ expr: Expr) -> JSONValue {
        switch expr {
        case .number(let node):
            return .object(["number": number(node.value), "pos": pos(node.positionRange)])
        case .string(let node):
            return .object(["string": .string(node.value), "pos": pos(node.positionRange)])
        case .vectorSelector(let node):
            return .object(["vector": selector(node)])
        case .matrixSelector(let node):
            return .object(["matrix": .object(["selector": .object(["vector": selector(node.selector)]),
                                               "range": .number(Double(node.rangeMs)), "end": .number(Double(node.endPosition))])])
        case .subquery(let node):
            var fields: [String: JSONValue] = ["expr": dump(node.expr), "range": .number(Double(node.rangeMs)),
                                               "step": .number(Double(node.stepMs)), "end": .number(Double(node.endPosition))]
            modifiers(node.at, node.offsetMs, into: &fields)
            return .object(["subquery": .object(fields)])
        case .call(let node):
            return .object(["call": .object(["func": .string(node.function.name), "args": .array(node.args.map(dump)),
                                             "pos": pos(node.positionRange)])])
        case .aggregate(let node):
            var fields: [String: JSONValue] = ["op": .string(node.op.rawValue), "expr": dump(node.expr),
                                               "grouping": .array(node.grouping.map(JSONValue.string)),
                                               "without": .bool(node.without), "pos": pos(node.positionRange)]
            if let param = node.param { fields["param"] = dump(param) }
            return .object(["aggregate": .object(fields)])
        case .binary(let node):
            var fields: [String: JSONValue] = ["op": .string(node.op.rawValue), "lhs": dump(node.lhs), "rhs": dump(node.rhs),
                                               "bool": .bool(node.returnBool)]
            if let matching = node.matching {
                fields["matching"] = .object(["card": .string(matching.cardinality.rawValue),
                                              "labels": .array(matching.matchingLabels.map(JSONValue.string)),
                                              "on": .bool(matching.on), "include": .array(matching.include.map(JSONValue.string))])
            }
            return .object(["binary": .object(fields)])
        case .unary(let node):
            return .object(["unary": .object(["op": .string(node.op.rawValue), "expr": dump(node.expr),
                                              "start": .number(Double(node.startPosition))])])
        case .paren(let node):
            return .object(["paren": .object(["expr": dump(node.expr), "pos": pos(node.positionRange)])])
        }
    }

    private static func selector(_ node: VectorSelector) -> JSONValue {
        var fields: [String: JSONValue] = [
            "name": .string(node.name ?? ""),
            "matchers": .array(node.matchers.map { .array([.string($0.name), .string($0.op.rawValue), .string($0.value)]) }),
            "pos": pos(node.positionRange),
        ]
        modifiers(node.at, node.offsetMs, into: &fields)
        return .object(fields)
    }

    private static func modifiers(_ at: AtModifier?, _ offsetMs: Int64, into fields: inout [String: JSONValue]) {
        switch at {
        case .timestamp(let ms): fields["at"] = .number(Double(ms))
        case .start: fields["at"] = .string("start")
        case .end: fields["at"] = .string("end")
        case nil: break
        }
        if offsetMs != 0 { fields["offset"] = .number(Double(offsetMs)) }
    }

    private static func number(_ value: Double) -> JSONValue {
        if value.isNaN { return .string("NaN") }
        if value.isInfinite { return .string(value > 0 ? "+Inf" : "-Inf") }
        return .number(value)
    }

    private static func pos(_ range: PositionRange) -> JSONValue {
        .array([.number(Double(range.start)), .number(Double(range.end))])
    }
}
