import StrataCore

/// A condition on one label, as in a Prometheus selector: `name="v"`, `!=`, `=~` and `!~`.
///
/// A missing label has the value "" (so `job!="x"` matches series without `job`, and `job=""` matches
/// only those). Regular expressions are anchored at both ends, as Prometheus anchors them.
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

    /// A matcher; throws when `op` is a regex operator and `value` does not compile.
    public init(_ name: String, _ op: Operator, _ value: String) throws(SelectorError) {
        self.name = name
        self.op = op
        self.value = value
        if op == .matchesRegex || op == .notMatchesRegex {
            do {
                _ = try Regex(value)
            } catch {
                throw SelectorError(message: "invalid regular expression \"\(value)\" for label \(name): \(error)", offset: nil)
            }
        }
    }

    /// The matcher ready to test values (its regular expression compiled).
    public func compiled() -> CompiledMatcher { CompiledMatcher(self) }

    /// Whether a label value (or "" for a missing label) satisfies the matcher. Compiles a regular
    /// expression on every call: use `compiled()` to test many values.
    public func matches(_ candidate: String) -> Bool { compiled().matches(candidate) }

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

/// A `LabelMatcher` with its regular expression compiled, for testing many values in one task.
/// (Not `Sendable`: the standard library's `Regex` is not.)
public struct CompiledMatcher {
    /// The matcher.
    public let matcher: LabelMatcher
    private let regex: Regex<AnyRegexOutput>?

    init(_ matcher: LabelMatcher) {
        self.matcher = matcher
        switch matcher.op {
        case .equal, .notEqual: regex = nil
        case .matchesRegex, .notMatchesRegex: regex = try? Regex(matcher.value)
        }
    }

    /// Whether a label value (or "" for a missing label) satisfies the matcher.
    public func matches(_ candidate: String) -> Bool {
        switch matcher.op {
        case .equal: return candidate == matcher.value
        case .notEqual: return candidate != matcher.value
        case .matchesRegex: return (try? regex?.wholeMatch(in: candidate)) != nil
        case .notMatchesRegex: return (try? regex?.wholeMatch(in: candidate)) == nil
        }
    }

    /// Whether `labels` satisfy the matcher.
    public func matches(_ labels: Labels) -> Bool { matches(labels[matcher.name] ?? "") }
}

/// A selector or matcher that cannot be parsed or compiled.
public struct SelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the user.
    public var message: String
    /// Character offset in the selector text, when known.
    public var offset: Int?

    public var description: String { offset.map { "\(message) (at character \($0 + 1))" } ?? message }
}
