import StrataCore
import Testing

/// Issue 17: `strata query` printed 0.12199999999997999, then 1.52116e+09 beside 1499381760 in one column.
@Test func numbersReadAlikeInAColumn() {
    #expect(NumberText.human(0.12199999999997999) == "0.122")
    #expect(NumberText.human(1_521_160_000.7) == "1521160001")
    #expect(NumberText.human(1_499_381_760) == "1499381760")
    #expect(NumberText.human(12.75) == "12.75")
    #expect(NumberText.human(-3.14159265) == "-3.14159")
    #expect(NumberText.human(0.00001234) == "1.234e-05")
    #expect(NumberText.human(2e20) == "2e+20")
    #expect(NumberText.human(.nan) == "NaN" && NumberText.human(-.infinity) == "-Inf")
}
