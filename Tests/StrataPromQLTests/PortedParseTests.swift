import StrataPromQL
import Testing

/// Prometheus v2.42.0's own parser tests (`promql/parser/parse_test.go`), as data: each input gives the same
/// tree (positions included) or the same error — the one a real Prometheus 2.42 gives, word for word.
@Suite struct PortedParseTests {
    static let cases: [ParseCase] = CaseFiles.load("parse_test.json")

    /// Where Strata knowingly answers otherwise, and why.
    static func knownDifference(_ testCase: ParseCase) -> String? {
        // 10,000 chained operations make a tree 20,000 deep; Strata refuses trees deeper than 512 levels so that
        // no query can exhaust a stack (Prometheus has no bound).
        testCase.inputRepeat != nil ? "1:2: parse error: query nests more than 512 levels deep" : nil
    }

    /// Strings whose escapes make invalid UTF-8 (`"\xFF"`) hold U+FFFD in Strata, where Prometheus keeps the
    /// byte and prints it back as `\xff`.
    static func hasInvalidUTF8Escape(_ testCase: ParseCase) -> Bool {
        testCase.input?.contains("\\xFF") == true
    }

    @Test("parse_test.go cases give Prometheus's trees and errors", arguments: cases)
    func parsesAsPrometheus(_ testCase: ParseCase) throws {
        let bytes = testCase.bytes
        do {
            let expr = try PromQLParser.parse(utf8: bytes)
            #expect(testCase.error == nil, "parsed, but Prometheus fails with: \(testCase.prometheus ?? "")")
            if let expected = testCase.expected { #expect(TreeDump.dump(expr) == expected) }
            if let formatted = testCase.formatted, !Self.hasInvalidUTF8Escape(testCase) { #expect(expr.pretty() == formatted) }
        } catch {
            if let difference = Self.knownDifference(testCase) {
                #expect(error.description.hasPrefix(difference))
                return
            }
            let message = try #require(testCase.error, "unexpected error: \(error)")
            #expect(message.isEmpty || error.description.contains(message))
            #expect(error.description == testCase.prometheus)
            #expect(error.positionRange.start >= 0 && error.positionRange.start <= error.positionRange.end)
            #expect(error.positionRange.end <= bytes.count)
        }
    }

    @Test func notANumberParsesAsNaN() throws {
        guard case .number(let literal) = try PromQLParser.parse("NaN") else { Issue.record("not a number literal"); return }
        #expect(literal.value.isNaN)
    }

    @Test("selectors are extracted in order, a range selector's included", arguments: [
        ("foo", [["__name__=\"foo\""]]),
        ("foo{bar=\"baz\"}", [["bar=\"baz\"", "__name__=\"foo\""]]),
        ("foo{bar=\"baz\"} / flip{flop=\"flap\"}", [["bar=\"baz\"", "__name__=\"foo\""], ["flop=\"flap\"", "__name__=\"flip\""]]),
        ("rate(foo[5m])", [["__name__=\"foo\""]]),
        ("vector(1)", []),
    ])
    func extractsSelectors(_ query: String, _ expected: [[String]]) throws {
        let selectors = try PromQLParser.parse(query).selectors
        #expect(selectors.map { $0.matchers.map(\.description) } == expected)
    }
}
