/// Parses a Prometheus-style series selector: `metric_name`, `metric_name{job="api", code=~"5.."}`,
/// or `{__name__=~"node_.*", mode!="idle"}`. The metric name becomes a `__name__` matcher.
public enum SeriesSelector {
    /// The matchers of `text`; throws with the offending position on a syntax error.
    public static func parse(_ text: String) throws(SelectorError) -> [LabelMatcher] {
        var parser = Parser(Array(text.unicodeScalars))
        return try parser.selector()
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var position = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        mutating func selector() throws(SelectorError) -> [LabelMatcher] {
            skipSpace()
            var matchers: [LabelMatcher] = []
            if let scalar = peek, Self.isNameStart(scalar, colon: true) {
                matchers.append(try LabelMatcher("__name__", .equal, name(colon: true)))
                skipSpace()
            }
            if peek == "{" {
                position += 1
                skipSpace()
                while peek != "}" {
                    let label = try requireName()
                    skipSpace()
                    let op = try matchOperator()
                    skipSpace()
                    let value = try quoted()
                    do {
                        matchers.append(try LabelMatcher(label, op, value))
                    } catch {
                        throw SelectorError(message: error.message, offset: position)
                    }
                    skipSpace()
                    if peek == "," {
                        position += 1
                        skipSpace()
                    } else if peek != "}" {
                        throw fail(peek == nil ? "selector ends before its closing }" : "expected , or } after a matcher")
                    }
                }
                position += 1
                skipSpace()
            }
            guard position == scalars.count else { throw fail("unexpected \"\(String(String.UnicodeScalarView(scalars[position...])))\"") }
            guard !matchers.isEmpty else { throw fail("empty selector; give a metric name or {label matchers}") }
            guard matchers.contains(where: { !$0.matches("") }) else {
                throw fail("the selector matches every series; add a matcher that does not match the empty string")
            }
            return matchers
        }

        var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

        mutating func skipSpace() {
            while let scalar = peek, scalar == " " || scalar == "\t" || scalar == "\n" { position += 1 }
        }

        static func isNameStart(_ scalar: Unicode.Scalar, colon: Bool) -> Bool {
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_" || (colon && scalar == ":")
        }

        mutating func name(colon: Bool) -> String {
            var text = String.UnicodeScalarView()
            while let scalar = peek, Self.isNameStart(scalar, colon: colon) || (scalar >= "0" && scalar <= "9") {
                text.append(scalar)
                position += 1
            }
            return String(text)
        }

        mutating func requireName() throws(SelectorError) -> String {
            guard let scalar = peek, Self.isNameStart(scalar, colon: false) else { throw fail("expected a label name") }
            return name(colon: false)
        }

        mutating func matchOperator() throws(SelectorError) -> LabelMatcher.Operator {
            let rest = String(String.UnicodeScalarView(scalars[position..<min(position + 2, scalars.count)]))
            for op in [LabelMatcher.Operator.notEqual, .matchesRegex, .notMatchesRegex] where rest == op.rawValue {
                position += 2
                return op
            }
            if rest.hasPrefix("=") {
                position += 1
                return .equal
            }
            throw fail("expected one of = != =~ !~")
        }

        mutating func quoted() throws(SelectorError) -> String {
            guard let quote = peek, quote == "\"" || quote == "'" || quote == "`" else { throw fail("expected a quoted value") }
            position += 1
            var text = String.UnicodeScalarView()
            while let scalar = peek {
                position += 1
                if scalar == quote { return String(text) }
                if scalar == "\\" && quote != "`" {
                    guard let escaped = peek else { break }
                    position += 1
                    switch escaped {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "\\", "\"", "'": text.append(escaped)
                    default: throw fail("unknown escape \\\(escaped)")
                    }
                } else {
                    text.append(scalar)
                }
            }
            throw fail("unterminated quoted value")
        }

        func fail(_ message: String) -> SelectorError { SelectorError(message: message, offset: position) }
    }
}
