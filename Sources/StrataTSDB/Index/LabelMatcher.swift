import StrataCore

/// A condition on one label, as in a Prometheus selector: `name="v"`, `!=`, `=~` and `!~`.
///
/// A missing label has the value "" (so `job!="x"` matches series without `job`, and `job=""` matches
/// only those). Regular expressions use RE2 syntax through `LinearRegex` — matched in time linear in the
/// value, never by backtracking — and are anchored at both ends, as Prometheus anchors them. They are
/// compiled once, when the matcher is made.
public struct LabelMatcher: Sendable, CustomStringConvertible {
    /// The comparison.
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case matchesRegex = "=~"
        case notMatchesRegex = "!~"
    }

    /// Label name.
    public let name: String
    /// Comparison.
    public let op: Operator
    /// Value or regular expression.
    public let value: String
    /// The compiled expression of `=~` and `!~`.
    private let regex: LinearRegex?

    /// A matcher; throws when `op` is a regex operator and `value` does not compile (or exceeds
    /// `LinearRegex.Limits`: 4,096 bytes, repetitions of 1,000, 10,000 instructions).
    public init(_ name: String, _ op: Operator, _ value: String) throws(SelectorError) {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual:
            regex = nil
        case .matchesRegex, .notMatchesRegex:
            do {
                regex = try LinearRegex(value)
            } catch {
                throw SelectorError(message: "invalid regular expression \"\(value)\" for label \(name): \(error)", offset: nil)
            }
        }
    }

    /// Whether a label value (or "" for a missing label) satisfies the matcher.
    public func matches(_ candidate: String) -> Bool {
        switch op {
        case .equal: return candidate == value
        case .notEqual: return candidate != value
        case .matchesRegex: return regex?.wholeMatch(candidate) ?? false
        case .notMatchesRegex: return !(regex?.wholeMatch(candidate) ?? false)
        }
    }

    /// Whether `labels` satisfy the matcher.
    public func matches(_ labels: Labels) -> Bool { matches(labels[name] ?? "") }

    public var description: String {
        var escaped = ""
        for character in value {
            switch character {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return "\(name)\(op.rawValue)\"\(escaped)\""
    }
}

/// A selector or matcher that cannot be parsed or compiled.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the user.
    public var message: String
    /// Character offset in the selector text, when known.
    public var offset: Int?

    public var description: String { offset.map { "\(message) (at character \($0 + 1))" } ?? message }
}
