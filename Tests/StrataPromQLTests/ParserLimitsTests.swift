import StrataPromQL
import Testing

/// Hostile input: the parser bounds length and nesting with errors a user can act on, never traps on huge
/// numbers or durations, and stays fast on long input.
@Suite struct ParserLimitsTests {
    private func message(_ query: String, limits: PromQLParser.Limits = .init()) -> String? {
        do {
            _ = try PromQLParser.parse(query, limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func queriesLongerThanTheLimitAreRefusedWithTheirLength() {
        let query = "foo{a=\"" + String(repeating: "x", count: 70_000) + "\"}"
        #expect(message(query) == "1:1: parse error: query is 70009 bytes long, more than the 65536 accepted; shorten it")
        #expect(message("up", limits: .init(maxQueryBytes: 1)) != nil)
    }

    @Test("nesting up to the limit parses and prints; beyond it is refused", arguments: [
        ("(", "1", ")", 1), ("abs(", "up", ")", 1), ("sum(", "up", ")", 1), ("-(", "up", ")", 2),
        ("max_over_time(", "up", "[1m:])", 2), ("up + ", "up", "", 1), ("2 ^ ", "2", "", 1),
    ])
    func nestingIsBounded(_ open: String, _ leaf: String, _ close: String, _ levelsEach: Int) async throws {
        func query(_ levels: Int) -> String {
            String(repeating: open, count: levels) + leaf + String(repeating: close, count: levels)
        }
        // Parsed, checked and printed on a task's stack, where the evaluator will run.
        let expr = try await Task.detached { try PromQLParser.parse(query(510 / levelsEach)) }.value
        #expect(!expr.description.isEmpty && !expr.pretty().isEmpty)
        let refused = message(query(600)) ?? ""
        #expect(refused.contains("query nests more than 512 levels deep"), "\(refused)")
    }

    @Test func signsDoNotNestWithoutBound() {
        #expect(message(String(repeating: "-", count: 60_000) + "1")?.contains("nests more than 512") == true)
        #expect(message(String(repeating: "(", count: 60_000))?.contains("nests more than 512") == true)
    }

    @Test("numbers, durations and timestamps beyond range are errors, not traps", arguments: [
        ("1e400", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range"),
        ("foo[300y]", "1:5: parse error: duration out of range"),
        ("foo[99999999999999999999999s]", "1:5: parse error: duration out of range"),
        ("foo offset 106751d23h47m16s854ms", nil),
        ("foo offset 106751d23h47m16s855ms", "1:12: parse error: duration out of range"),
        ("foo @ 1e19", "1:1: parse error: timestamp out of bounds for @ modifier: 10000000000000000000.000000"),
        ("foo @ 1e17", nil),
        ("0xFFFFFFFFFFFFFFFFFFFF", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0xFFFFFFFFFFFFFFFFFFFF\": invalid syntax"),
    ])
    func outOfRangeValuesAreErrors(_ query: String, _ expected: String?) {
        #expect(message(query) == expected)
    }

    @Test("long hostile input parses in linear time", arguments: [
        String(repeating: "up or ", count: 10_000) + "up",
        "foo{" + String(repeating: "a=\"b\",", count: 9_000) + "}",
        String(repeating: "# comment\n", count: 6_000) + "1",
        "label_join(up, \"a\", \"" + String(repeating: "\\u00e9", count: 10_000) + "\", \"b\")",
        String(repeating: "{}", count: 30_000),
    ])
    func longInputIsFast(_ query: String) {
        let clock = ContinuousClock()
        let elapsed = clock.measure { _ = try? PromQLParser.parse(query) }
        #expect(elapsed < .seconds(5), "took \(elapsed)")
    }

    @Test func invalidUTF8IsReportedWhereItIs() {
        let bytes = Array("foo{a=\"".utf8) + [0xFF] + Array("\"}".utf8)
        #expect(throws: ParseError.self) { try PromQLParser.parse(utf8: bytes) }
        do { _ = try PromQLParser.parse(utf8: bytes) } catch { #expect(error.description == "1:7: parse error: invalid UTF-8 rune") }
    }
}
