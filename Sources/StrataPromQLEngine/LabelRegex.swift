import StrataCore

/// The regular expression of `label_replace`, anchored at both ends as Prometheus anchors it
/// (`^(?:pattern)$`), with Go's `Regexp.Expand` for the replacement.
///
/// Whether a value matches is decided by `LinearRegex` (RE2 syntax and limits, linear time); only for a value
/// that matches are the groups found, by the standard library's `Regex`, whose leftmost-first choice of groups
/// is Go's. A pattern either engine refuses is invalid.
struct LabelRegex {
    private let linear: LinearRegex
    private let groups: Regex<AnyRegexOutput>

    init?(_ pattern: String) {
        guard let linear = try? LinearRegex(pattern),
              let groups = try? Regex("(?:" + pattern + ")") else { return nil }
        self.linear = linear
        self.groups = groups.matchingSemantics(.unicodeScalar)
    }

    /// `template` expanded with the groups of `value` when the regex matches all of it, nil when it does not.
    func expand(_ template: String, matching value: String) -> String? {
        guard linear.wholeMatch(value), let match = try? groups.wholeMatch(in: value) else { return nil }
        let output = match.output
        func group(_ name: String) -> String {
            if let number = Int(name), name.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                guard number < output.count, let text = output[number].substring else { return "" }
                return String(text)
            }
            guard let named = output[name], let text = named.substring else { return "" }
            return String(text)
        }
        return Self.expand(template, group)
    }

    /// Go's `Regexp.Expand`: `$name` and `${name}` (a name is letters, digits and `_`; all digits is a group
    /// number) become the group's text, `$$` a `$`; a `$` that starts neither stays as it is.
    static func expand(_ template: String, _ group: (String) -> String) -> String {
        var out = ""
        var rest = Substring(template)
        func isNameByte(_ c: Character) -> Bool { c == "_" || c.isASCII && (c.isLetter || c.isNumber) }
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "$" {
                out += "$"
                rest = rest.dropFirst()
                continue
            }
            if rest.first == "{" {
                let body = rest.dropFirst()
                let name = body.prefix(while: isNameByte)
                let after = body.dropFirst(name.count)
                if !name.isEmpty, after.first == "}" {
                    out += group(String(name))
                    rest = after.dropFirst()
                    continue
                }
                out += "$"
                continue
            }
            let name = rest.prefix(while: isNameByte)
            if name.isEmpty {
                out += "$"
                continue
            }
            out += group(String(name))
            rest = rest.dropFirst(name.count)
        }
        return out + rest
    }
}
