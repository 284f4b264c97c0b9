import StrataPromQL
import Testing

/// Queries put to a real Prometheus 2.42 (`/api/v1/format_query`) and its answers, word for word: every kind
/// of error it gives (where in the grammar, which token, which check) and the formatting of valid queries.
/// The queries are the ported tests, hand-written edge cases, and random queries and mutations of them.
@Suite struct PrometheusAnswersTests {
    static let cases: [AnswerCase] = CaseFiles.load("prometheus_answers.json")

    @Test("queries fail or format exactly as in Prometheus 2.42", arguments: cases)
    func answersAsPrometheus(_ testCase: AnswerCase) {
        do {
            let expr = try PromQLParser.parse(testCase.input)
            #expect(expr.pretty() == testCase.formatted, "Prometheus: \(testCase.error ?? "")")
        } catch {
            #expect(error.description == testCase.error, "Prometheus formats it as: \(testCase.formatted ?? "")")
        }
    }

    @Test("a regular expression Prometheus's Go regexp refuses is refused with Go's words")
    func regexErrorsUseGoWords() {
        let answers = [
            #"foo{a=~"("}"#: "1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`",
            #"foo{a=~"a{2,1}"}"#: "1:5: parse error: error parsing regexp: invalid repeat count: `{2,1}`",
            #"foo{a=~"a++"}"#: "1:5: parse error: error parsing regexp: invalid nested repetition operator: `++`",
            #"foo{a=~"(?=a)"}"#: "1:5: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
        ]
        for (query, expected) in answers {
            #expect(throws: ParseError.self) { try PromQLParser.parse(query) }
            do { _ = try PromQLParser.parse(query) } catch { #expect(error.description == expected) }
        }
    }
}
