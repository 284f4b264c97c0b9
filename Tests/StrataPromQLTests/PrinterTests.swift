import StrataPromQL
import Testing

/// Printing: Prometheus's `String()` and `Pretty` cases (`printer_test.go`, `prettier_test.go`), and every
/// query Strata parses prints as text that parses back to the same text.
@Suite struct PrinterTests {
    static let cases: [PrinterCase] = CaseFiles.load("printer_test.json")

    @Test("printer_test.go and prettier_test.go cases print as Prometheus prints them", arguments: cases)
    func printsAsPrometheus(_ testCase: PrinterCase) throws {
        let expr = try PromQLParser.parse(testCase.input)
        if let string = testCase.string { #expect(expr.description == string) }
        if let pretty = testCase.pretty { #expect(expr.pretty(maxWidth: testCase.width ?? 100) == pretty) }
    }

    static let parsedQueries: [String] = {
        let ported: [ParseCase] = CaseFiles.load("parse_test.json")
        let answers: [AnswerCase] = CaseFiles.load("prometheus_answers.json")
        return ported.filter { $0.formatted != nil && $0.inputBytes == nil && !PortedParseTests.hasInvalidUTF8Escape($0) }
            .compactMap(\.input)
            + answers.filter { $0.formatted != nil }.map(\.input)
    }()

    @Test("printed text parses back to the same text, on one line and pretty", arguments: parsedQueries)
    func printedTextRoundTrips(_ query: String) throws {
        let printed = try PromQLParser.parse(query).description
        #expect(try PromQLParser.parse(printed).description == printed)
        let pretty = try PromQLParser.parse(query).pretty(maxWidth: 20)
        #expect(try PromQLParser.parse(pretty).description == printed)
    }
}
