import StrataPromQL
import Yams

extension Checker {
    static let ruleFields: Set<String> = ["record", "alert", "expr", "for", "keep_firing_for", "labels", "annotations"]

    /// One rule: exactly one of `record` and `alert`, an expression that parses, and what each kind allows.
    mutating func rule(_ node: Node, index: Int) -> Rule? {
        // Named before its fields are checked, so a problem with them names the rule.
        rule = (index, node.mapping?["record"]?.scalar?.string ?? node.mapping?["alert"]?.scalar?.string ?? "")
        guard let fields = mapping(node, known: Self.ruleFields, in: "a rule") else { return nil }
        let record = scalar(fields["record"], "record") ?? ""
        let alert = scalar(fields["alert"], "alert") ?? ""
        rule = (index, record.isEmpty ? alert : record)
        switch (record.isEmpty, alert.isEmpty) {
        case (true, true): fail(node, "one of 'record' or 'alert' must be set")
        case (false, false): fail(fields["alert"], "only one of 'record' and 'alert' must be set")
        default: break
        }
        let kind: Rule.Kind = record.isEmpty ? .alerting : .recording
        var result = Rule(kind: kind, name: record.isEmpty ? alert : record, expr: scalar(fields["expr"], "expr") ?? "",
                          labels: strings(fields["labels"], "labels"), annotations: strings(fields["annotations"], "annotations"),
                          line: node.mark?.line ?? 0)
        if result.expr.isEmpty {
            fail(fields["expr"] ?? node, "field 'expr' must be set in rule")
        } else {
            expression(result.expr, at: fields["expr"])
        }
        if let node = fields["for"], !Self.isNull(node) { result.forMs = duration(node, "for") ?? 0 }
        if let node = fields["keep_firing_for"], !Self.isNull(node) { result.keepFiringForMs = duration(node, "keep_firing_for") ?? 0 }
        if kind == .recording, !record.isEmpty {
            if !Names.isMetricName(record) { fail(fields["record"], "invalid recording rule name: \(record)") }
            for field in ["for", "keep_firing_for", "annotations"] where fields[field].map({ !Self.isNull($0) }) ?? false {
                fail(fields[field], "invalid field '\(field)' in recording rule")
            }
        }
        for name in result.labels.keys.sorted() where !Names.isLabelName(name) || name == "__name__" {
            fail(fields["labels"], "invalid label name: \(name)")
        }
        for name in result.annotations.keys.sorted() where !Names.isLabelName(name) {
            fail(fields["annotations"], "invalid annotation name: \(name)")
        }
        if kind == .alerting, !alert.isEmpty { templates(result, fields) }
        return result
    }

    /// The expression parses, and is one Strata can evaluate as a rule (a vector or a scalar).
    mutating func expression(_ expr: String, at node: Node?) {
        do {
            let parsed = try PromQLParser.parse(expr)
            if parsed.type != .vector, parsed.type != .scalar {
                fail(node, "expression is a \(parsed.type.documentedName), not an instant vector or a scalar: a rule cannot use it")
            }
        } catch {
            fail(node, "could not parse expression: \(error.description)")
        }
    }

    /// An alert's labels and annotations parse as templates (`{{ $labels.job }}`, `{{ $value | humanize }}`).
    mutating func templates(_ rule: Rule, _ fields: [String: Node]) {
        for (field, map) in [("label", rule.labels), ("annotation", rule.annotations)] {
            for (name, text) in map.sorted(by: { $0.key < $1.key }) {
                do {
                    _ = try AlertTemplate(text, name: "__alert_" + rule.name)
                } catch {
                    fail(fields[field + "s"], "\(field) \"\(name)\": \(error.description)")
                }
            }
        }
    }
}

/// Prometheus's name rules (`model.IsValidMetricName`, `model.LabelName.IsValid`).
public enum Names {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func isMetricName(_ name: String) -> Bool {
        valid(name) { $0 == UInt8(ascii: ":") }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`.
    public static func isLabelName(_ name: String) -> Bool {
        valid(name) { _ in false }
    }

    private static func valid(_ name: String, extra: (UInt8) -> Bool) -> Bool {
        guard !name.isEmpty else { return false }
        for (index, byte) in name.utf8.enumerated() {
            let letter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
            let digit = byte >= 0x30 && byte <= 0x39
            guard letter || extra(byte) || (digit && index > 0) else { return false }
        }
        return true
    }
}
