/// PromQL text for a tree, as Prometheus 2.42 prints it (`String()`): one line, labels sorted, the name's
/// matcher folded back into the name, numbers and durations in Go's and `model.Duration`'s forms. Parsing
/// the text gives the same tree back.
extension Expr: CustomStringConvertible {
    /// The query on one line, as Prometheus's `String()`.
    public var description: String {
        var printer = Printer(limit: nil)
        printer.write(self)
        return printer.text
    }

    /// The query as `format_query` gives it (Prometheus's `Pretty`): an expression longer than `maxWidth`
    /// bytes is split, its operands, arguments and parenthesized parts indented by two spaces per level.
    public func pretty(maxWidth: Int = 100) -> String {
        var printer = PrettyPrinter(maxWidth: maxWidth)
        return printer.pretty(self, level: 0)
    }
}

/// Writes the one-line text, stopping early (with `exceeded` set) once it is longer than `limit` bytes, so
/// that asking whether a subtree fits on a line costs at most the line.
struct Printer {
    let limit: Int?
    private(set) var text = ""
    private(set) var exceeded = false

    init(limit: Int?) { self.limit = limit }

    private mutating func append(_ piece: String) {
        guard !exceeded else { return }
        text += piece
        if let limit, text.utf8.count > limit { exceeded = true }
    }

    /// Room left before the limit, for quoting long strings only as far as needed.
    private var room: Int? { limit.map { max(0, $0 - text.utf8.count + 1) } }

    mutating func write(_ expr: Expr) {
        guard !exceeded else { return }
        switch expr {
        case .aggregate(let node):
            append(Printer.aggregationPrefix(node) + "(")
            if let param = node.param {
                write(param)
                append(", ")
            }
            write(node.expr)
            append(")")
        case .binary(let node):
            write(node.lhs)
            append(" " + Printer.operatorText(node) + " ")
            write(node.rhs)
        case .call(let node):
            append(node.function.name + "(")
            for (index, arg) in node.args.enumerated() {
                if index > 0 { append(", ") }
                write(arg)
            }
            append(")")
        case .matrixSelector(let node):
            var selector = node.selector
            selector.offsetMs = 0
            selector.at = nil
            writeSelector(selector)
            append("[" + DurationLiteral.format(node.rangeMs) + "]")
            append(Printer.modifiers(at: node.selector.at, offsetMs: node.selector.offsetMs))
        case .number(let node):
            append(GoFloat.shortest(node.value))
        case .paren(let node):
            append("(")
            write(node.expr)
            append(")")
        case .string(let node):
            append(GoQuote.string(node.value, maxRunes: room))
        case .subquery(let node):
            write(node.expr)
            append(Printer.subquerySuffix(node))
        case .unary(let node):
            append(node.op.rawValue)
            write(node.expr)
        case .vectorSelector(let node):
            writeSelector(node)
        }
    }

    private mutating func writeSelector(_ selector: VectorSelector) {
        let name = selector.name ?? ""
        let labels = selector.matchers
            .filter { !($0.name == "__name__" && $0.op == .equal && $0.value == name) }
            .map { $0.name + $0.op.rawValue + GoQuote.string($0.value, maxRunes: room) }
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        append(name)
        if !labels.isEmpty { append("{" + labels.joined(separator: ",") + "}") }
        append(Printer.modifiers(at: selector.at, offsetMs: selector.offsetMs))
    }

    /// `sum`, `sum by (a, b) `, `sum without () `: the operator and its grouping.
    static func aggregationPrefix(_ node: AggregateExpr) -> String {
        if node.without { return node.op.rawValue + " without (" + node.grouping.joined(separator: ", ") + ") " }
        if !node.grouping.isEmpty { return node.op.rawValue + " by (" + node.grouping.joined(separator: ", ") + ") " }
        return node.op.rawValue
    }

    /// `+`, `> bool`, `* on (a) group_left (b)`.
    static func operatorText(_ node: BinaryExpr) -> String {
        var text = node.op.rawValue + (node.returnBool ? " bool" : "")
        if let matching = node.matching, !matching.matchingLabels.isEmpty || matching.on {
            text += (matching.on ? " on (" : " ignoring (") + matching.matchingLabels.joined(separator: ", ") + ")"
            if matching.cardinality == .manyToOne || matching.cardinality == .oneToMany {
                text += (matching.cardinality == .manyToOne ? " group_left (" : " group_right (")
                    + matching.include.joined(separator: ", ") + ")"
            }
        }
        return text
    }

    /// `[30m:1m] @ 100.000 offset 5m`.
    static func subquerySuffix(_ node: SubqueryExpr) -> String {
        let step = node.stepMs == 0 ? "" : DurationLiteral.format(node.stepMs)
        return "[" + DurationLiteral.format(node.rangeMs) + ":" + step + "]" + modifiers(at: node.at, offsetMs: node.offsetMs)
    }

    /// ` @ 100.000 offset 5m`: the `@` first, then the offset, as Prometheus prints them.
    static func modifiers(at: AtModifier?, offsetMs: Int64) -> String {
        var text = ""
        switch at {
        case .timestamp(let ms): text += " @ " + GoFloat.fixed(Double(ms) / 1000, decimals: 3)
        case .start: text += " @ start()"
        case .end: text += " @ end()"
        case nil: break
        }
        if offsetMs > 0 { text += " offset " + DurationLiteral.format(offsetMs) }
        if offsetMs < 0 { text += " offset -" + DurationLiteral.format(-offsetMs) }
        return text
    }
}

/// Prometheus's `Pretty(level)`, node for node.
private struct PrettyPrinter {
    let maxWidth: Int

    private func indent(_ level: Int) -> String { String(repeating: "  ", count: level) }

    private func needsSplit(_ expr: Expr) -> Bool {
        var printer = Printer(limit: maxWidth)
        printer.write(expr)
        return printer.exceeded
    }

    mutating func pretty(_ expr: Expr, level: Int) -> String {
        switch expr {
        case .aggregate(let node) where needsSplit(expr):
            var text = indent(level) + Printer.aggregationPrefix(node) + "(\n"
            if let param = node.param { text += pretty(param, level: level + 1) + ",\n" }
            return text + pretty(node.expr, level: level + 1) + "\n" + indent(level) + ")"
        case .binary(let node) where needsSplit(expr):
            return pretty(node.lhs, level: level + 1) + "\n" + indent(level) + Printer.operatorText(node) + "\n"
                + pretty(node.rhs, level: level + 1)
        case .call(let node) where needsSplit(expr) && !node.args.isEmpty:
            let args = node.args.map { pretty($0, level: level + 1) }.joined(separator: ",\n")
            return indent(level) + node.function.name + "(\n" + args + "\n" + indent(level) + ")"
        case .paren(let node) where needsSplit(expr):
            return indent(level) + "(\n" + pretty(node.expr, level: level + 1) + "\n" + indent(level) + ")"
        case .subquery(let node):
            // Prometheus does not indent a subquery that fits on its line.
            guard needsSplit(expr) else { return expr.description }
            return pretty(node.expr, level: level) + Printer.subquerySuffix(node)
        case .unary(let node):
            let child = pretty(node.expr, level: level)
            return indent(level) + node.op.rawValue + PrettyPrinter.trimmingSpace(child)
        default:
            return indent(level) + expr.description
        }
    }

    /// Go's `strings.TrimSpace` for the white space PromQL text can hold.
    private static func trimmingSpace(_ text: String) -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard let first = text.firstIndex(where: { !isSpace($0) }), let last = text.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(text[first...last])
    }
}
