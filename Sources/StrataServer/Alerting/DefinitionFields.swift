import StrataAPI

/// The fields a definition may carry at every depth, so a misspelt field (`treshold`, `condition.on`, a target's
/// `urll`) is refused with its path instead of silently ignored — in API bodies and YAML files alike, both read
/// into plain dictionaries and lists first.
enum DefinitionFields {
    indirect enum Shape {
        /// A map with these fields.
        case object([String: Shape])
        /// A list of one shape.
        case list(Shape)
        /// Anything (a scalar, or a map of free names such as labels).
        case free
    }

    static let scopeFields = ["resource", "group", "kind", "serverType", "series"]
    static let targetFields = ["type", "url", "secret", "host", "port", "tls", "username", "password", "from", "to", "caFile"]

    static func free(_ names: some Sequence<String>) -> [String: Shape] {
        Dictionary(names.map { ($0, Shape.free) }) { first, _ in first }
    }

    /// A condition's shape; a composite's parts are conditions without parts of their own.
    static func condition(parts: Bool) -> Shape {
        var fields = free(API.AlertCondition.fieldNames)
        fields["conditions"] = parts ? .list(condition(parts: false)) : nil
        if !parts { fields["mode"] = nil } else { fields["on"] = nil; fields["hold"] = nil }
        return .object(fields)
    }

    /// A definition's shape.
    static var definition: Shape {
        var fields = free(AlertRoutes.definitionFields)
        fields["scope"] = .object(free(scopeFields))
        fields["condition"] = condition(parts: true)
        fields["notify"] = .list(.object(free(targetFields)))
        fields["action"] = .object(["name": .free, "parameters": .free, "minInterval": .free])
        fields["escalation"] = .list(.object(["after": .free, "repeat": .free, "times": .free, "notify": .list(.object(free(targetFields)))]))
        return .object(fields)
    }

    /// The first field of `value` (a definition read as dictionaries and lists) that its shape does not allow.
    static func check(_ value: Any, shape: Shape = definition, path: String = "") throws(DefinitionError) {
        switch shape {
        case .free:
            return
        case .list(let element):
            guard let list = value as? [Any] else { return }
            for (index, item) in list.enumerated() { try check(item, shape: element, path: "\(path)[\(index)]") }
        case .object(let fields):
            guard let object = value as? [String: Any] else { return }
            for key in object.keys.sorted() {
                let field = path.isEmpty ? key : "\(path).\(key)"
                guard let inner = fields[key] else {
                    throw DefinitionError(field: field, message: "unknown field; \(path.isEmpty ? "a definition" : path) takes \(fields.keys.sorted().joined(separator: ", "))")
                }
                if let child = object[key] { try check(child, shape: inner, path: field) }
            }
        }
    }
}
