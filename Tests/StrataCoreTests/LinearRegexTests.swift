import Testing
@testable import StrataCore

// MARK: Syntax

/// One whole-match expectation: `pattern` against `input`.
struct Case: CustomTestStringConvertible, Sendable {
    let pattern: String
    let input: String
    let matches: Bool
    init(_ pattern: String, _ input: String, _ matches: Bool) {
        self.pattern = pattern
        self.input = input
        self.matches = matches
    }
    var testDescription: String { "\(pattern) ~ \(input.debugDescription) → \(matches)" }
}

let wholeMatchCases: [Case] = [
    // Literals, the empty pattern, and non-ASCII scalars.
    Case("abc", "abc", true), Case("abc", "abd", false), Case("abc", "abcd", false), Case("", "", true),
    Case("", "a", false), Case("héllo", "héllo", true), Case("☺", "☺", true), Case("e\u{301}", "é", false),
    // `.` matches any scalar but `\n`, unless `s`.
    Case("a.c", "abc", true), Case("a.c", "a☺c", true), Case("a.c", "a\nc", false), Case("(?s)a.c", "a\nc", true),
    Case("(?s:.)", "\n", true), Case(".", "", false), Case("...", "e\u{301}x", true),
    // Bracket classes: sets, ranges, negation, a leading `]`, literal `-`, escapes inside.
    Case("[abc]", "b", true), Case("[abc]", "d", false), Case("[a-z]+", "hello", true), Case("[a-z]", "A", false),
    Case("[^abc]", "d", true), Case("[^abc]", "a", false), Case("[^a]", "\n", true), Case("[]a]", "]", true),
    Case("[]a]", "a", true), Case("[^]a]", "]", false), Case("[^]a]", "b", true), Case("[a-]", "-", true),
    Case("[-a]", "-", true), Case("[a-c-e]", "-", true), Case("[a-c-e]", "d", false), Case("[\\]]", "]", true),
    Case("[\\-]", "-", true), Case("[\\n]", "\n", true), Case("[\\x41-\\x43]", "B", true), Case("[.]", "x", false),
    Case("[.]", ".", true), Case("[\\\\]", "\\", true), Case("[[]", "[", true), Case("[α-ω]", "λ", true),
    // Perl classes, inside and outside brackets (ASCII, as RE2: `\s` has no `\v`).
    Case("\\d+", "0123456789", true), Case("\\d", "a", false), Case("\\d", "٣", false), Case("\\D", "a", true),
    Case("\\D", "5", false), Case("\\w+", "az_AZ09", true), Case("\\w", "-", false), Case("\\w", "é", false),
    Case("\\W", "-", true), Case("\\s", " ", true), Case("\\s", "\t", true), Case("\\s", "\u{0B}", false),
    Case("\\S", "x", true), Case("\\S", " ", false), Case("[\\d_]+", "1_2", true), Case("[\\D]", "1", false),
    Case("[^\\d]", "x", true), Case("[\\w-]+", "a-b", true), Case("[\\s\\d]", "7", true),
    // POSIX classes, plain and negated.
    Case("[[:alpha:]]+", "abcXYZ", true), Case("[[:alpha:]]", "1", false), Case("[[:digit:]]", "7", true),
    Case("[[:^digit:]]", "7", false), Case("[[:^digit:]]", "x", true), Case("[[:space:]]", "\u{0B}", true),
    Case("[[:upper:][:digit:]]+", "A1B2", true), Case("[[:punct:]]", "!", true), Case("[[:xdigit:]]+", "09afAF", true),
    Case("[[:alnum:]_]+", "a_1", true), Case("[[:word:]]", "_", true), Case("[[:blank:]]", "\t", true),
    Case("[[:cntrl:]]", "\u{7F}", true), Case("[[:print:]]", " ", true), Case("[[:graph:]]", " ", false),
    Case("[[:lower:]]", "a", true), Case("[[:ascii:]]", "é", false), Case("[^[:alpha:]]", "1", true),
    // Unicode general categories.
    Case("\\pL+", "héllo", true), Case("\\p{Lu}", "É", true), Case("\\p{Lu}", "é", false), Case("\\PL", "1", true),
    Case("\\p{^L}", "a", false), Case("\\p{N}+", "٣4", true), Case("[\\p{Lu}\\d]+", "A1", true),
    Case("\\p{Any}", "\n", true),
    // Escapes.
    Case("a\\.b", "a.b", true), Case("a\\.b", "axb", false), Case("\\\\", "\\", true), Case("\\*", "*", true),
    Case("\\n", "\n", true), Case("\\t", "\t", true), Case("\\r", "\r", true), Case("\\f", "\u{0C}", true),
    Case("\\v", "\u{0B}", true), Case("\\a", "\u{07}", true), Case("\\x41", "A", true), Case("\\x{263a}", "☺", true),
    Case("\\x{1F600}", "😀", true), Case("\\0", "\u{0}", true), Case("\\012", "\n", true), Case("\\101", "A", true),
    Case("\\(\\)\\[\\]\\{\\}\\|\\?\\+\\^\\$", "()[]{}|?+^$", true), Case("\\Qa.b*\\E", "a.b*", true),
    Case("\\Qa.b", "axb", false), Case("\\Qab\\E*", "abbb", true), Case("\\Qab\\E*", "abab", false),
    Case("(?i)\\Qab\\E", "AB", true), Case("\\Q\\E", "", true), Case("\\-\\#\\~\\/\\!\\@\\%\\&\\,\\;\\:\\<\\>\\=\\'\\\"", "-#~/!@%&,;:<>='\"", true),
    // Anchors: text anchors by default, line anchors with `m`; Go's `$` ignores a trailing `\n`.
    Case("^abc$", "abc", true), Case("a^b", "ab", false), Case("a$b", "ab", false), Case("abc$", "abc\n", false),
    Case("^", "", true), Case("$", "", true), Case("^$", "", true), Case("(?m)a$\\n^b", "a\nb", true),
    Case("a$\\nb", "a\nb", false), Case("(?m)^a$", "a", true), Case("\\Aabc\\z", "abc", true),
    Case("(?m)a\\z\\n", "a\n", false), Case("(?m)\\Aa$\\n", "a\n", true), Case("(^a|b)+", "ab", true),
    // Word boundaries (ASCII word characters).
    Case("\\bfoo\\b", "foo", true), Case("a\\bb", "ab", false), Case("a\\b b", "a b", true),
    Case("a\\Bb", "ab", true), Case("a\\B b", "a b", false), Case("\\b", "", false), Case("\\B", "", true),
    Case("é\\b", "é", false), Case("x\\b", "x", true),
    // Groups: capturing, non-capturing, named (both spellings), empty.
    Case("(ab)+", "abab", true), Case("(?:ab)+", "aba", false), Case("(?P<first>a)(?<second>b)", "ab", true),
    Case("()", "", true), Case("(())a", "a", true), Case("(?:)", "", true), Case("a(|b)c", "ac", true),
    // Flags: set to the end of the group, scoped, cleared.
    Case("(?i)abc", "AbC", true), Case("a(?i)b", "aB", true), Case("a(?i)b", "AB", false),
    Case("(?i:a)b", "Ab", true), Case("(?i:a)b", "AB", false), Case("(?i)a(?-i)b", "Ab", true),
    Case("(?i)a(?-i)b", "AB", false), Case("(a(?i)b)c", "aBc", true), Case("(a(?i)b)c", "aBC", false),
    Case("(?i)a|b", "B", true), Case("a(?i)b|c", "C", true), Case("(?is)A.", "a\n", true), Case("(?i-s:.)", "\n", false),
    Case("(?U)a+", "aaa", true), Case("(?U)a+?", "aaa", true), Case("(?m-s)^.$", "x", true),
    // Case folding beyond ASCII: simple folds, including the Kelvin sign and long s.
    Case("(?i)é", "É", true), Case("(?i)straße", "STRASSE", false), Case("(?i)k", "\u{212A}", true),
    Case("(?i)\u{212A}", "k", true), Case("(?i)s", "ſ", true), Case("(?i)σ", "ς", true), Case("(?i)Σ", "σ", true),
    Case("(?i)[a-c]+", "AbC", true), Case("(?i)[^k]", "K", false), Case("(?i)[^k]", "\u{212A}", false),
    Case("(?i)[[:upper:]]", "a", true), Case("(?i)i", "ı", false), Case("(?i)\\x41", "a", true),
    Case("(?i)ǅ", "ǆ", true), Case("(?i)ǆ", "Ǆ", true), Case("(?i)1", "1", true),
    // Alternation, including empty alternatives.
    Case("a|b", "b", true), Case("a|b", "c", false), Case("foo|bar|baz", "bar", true), Case("foo|bar|baz", "ba", false),
    Case("a|", "", true), Case("|a", "a", true), Case("a||b", "", true), Case("(a|)+", "aa", true),
    Case("(?:a|ab)(?:c|bcd)", "abcd", true), Case("x(a|b|c)*y", "xabcbay", true),
    // Quantifiers, greedy and lazy (the same language for a yes/no answer).
    Case("a*", "", true), Case("a*", "aaa", true), Case("a+", "", false), Case("a+", "aa", true),
    Case("a?", "", true), Case("a?", "aa", false), Case("a{3}", "aaa", true), Case("a{3}", "aa", false),
    Case("a{2,}", "aaaaa", true), Case("a{2,}", "a", false), Case("a{2,3}", "aaa", true), Case("a{2,3}", "aaaa", false),
    Case("a{0}", "", true), Case("a{0,0}b", "b", true), Case("a{0,1}", "a", true), Case("(ab){2}", "abab", true),
    Case("a*?", "aa", true), Case("a+?", "aa", true), Case("a??", "a", true), Case("a{2,3}?", "aa", true),
    Case("a{2,}?", "aaa", true), Case("a{1000}", String(repeating: "a", count: 1000), true),
    Case("(a{2}){3}", "aaaaaa", true), Case("(a{2}){3}", "aaaaa", false), Case("(a*)*", "aaa", true),
    Case("(a*)+b", "b", true), Case("(a?){5}a{5}", "aaaaa", true), Case("^*a", "a", true), Case("(?:^)*a", "a", true),
    // `{` that is not a repetition is a literal, as in Go.
    Case("a{", "a{", true), Case("a{,2}", "a{,2}", true), Case("{", "{", true), Case("a{1", "a{1", true),
    Case("a{x}", "a{x}", true), Case("a{1,2", "a{1,2", true), Case("x}", "x}", true), Case("]", "]", true),
]

@Test("Whole matches follow RE2 semantics for every supported syntax item", arguments: wholeMatchCases)
private func wholeMatchFollowsRE2(_ test: Case) throws {
    let regex = try LinearRegex(test.pattern)
    #expect(regex.wholeMatch(test.input) == test.matches)
    #expect(regex.pattern == test.pattern)
}

let firstMatchCases: [Case] = [
    Case("foo", "a foo b", true), Case("foo", "fo", false), Case("", "", true), Case("", "abc", true),
    Case("^foo", "xfoo", false), Case("foo$", "foox", false), Case("(?m)^foo$", "x\nfoo\ny", true),
    Case("\\bfoo\\b", "a foo.", true), Case("\\bfoo\\b", "afoo", false), Case("a+b", "caaab", true),
    Case("[0-9]{3}", "ab12c345", true), Case("[0-9]{3}", "ab12c34", false), Case("x*", "abc", true),
    Case("(?i)ERROR", "an error here", true), Case("a.c", "a\nc abc", true), Case("a.c", "a\nc", false),
    Case("\\z", "abc", true), Case("\\Ab", "ab", false), Case("é", "café", true),
]

@Test("Unanchored search finds a match anywhere in the text", arguments: firstMatchCases)
private func firstMatchSearchesAnywhere(_ test: Case) throws {
    #expect(try LinearRegex(test.pattern).firstMatch(in: test.input) == test.matches)
}

// MARK: Errors

/// A pattern that must be refused, the text its message must contain, and the offset it must report.
private struct Rejection: CustomTestStringConvertible, Sendable {
    let pattern: String
    let message: String
    let offset: Int
    init(_ pattern: String, _ message: String, at offset: Int) {
        self.pattern = pattern
        self.message = message
        self.offset = offset
    }
    var testDescription: String { "\(pattern) → \(message) at \(offset)" }
}

private let rejections: [Rejection] = [
    Rejection("(a)\\1", "backreferences are not supported: `\\1`", at: 3),
    Rejection("(?P<n>a)(?P=n)", "backreferences are not supported: `(?P=`", at: 8),
    Rejection("\\k<n>", "backreferences are not supported", at: 0),
    Rejection("a(?=b)", "lookahead assertions are not supported: `(?=`", at: 1),
    Rejection("a(?!b)", "lookahead assertions are not supported: `(?!`", at: 1),
    Rejection("(?<=a)b", "lookbehind assertions are not supported: `(?<=`", at: 0),
    Rejection("(?<!a)b", "lookbehind assertions are not supported: `(?<!`", at: 0),
    Rejection("(?>a)", "atomic groups are not supported", at: 0),
    Rejection("(?#note)", "comments are not supported", at: 0),
    Rejection("a*+", "possessive quantifiers are not supported: `*+`", at: 1),
    Rejection("ab++", "possessive quantifiers are not supported: `++`", at: 2),
    Rejection("a**", "invalid nested repetition operator: `**`", at: 1),
    Rejection("a*??", "invalid nested repetition operator: `*??`", at: 1),
    Rejection("a{2}{3}", "invalid nested repetition operator: `{2}{3}`", at: 1),
    Rejection("a{2}*", "invalid nested repetition operator: `{2}*`", at: 1),
    Rejection("*a", "missing argument to repetition operator: `*`", at: 0),
    Rejection("a|+", "missing argument to repetition operator: `+`", at: 2),
    Rejection("(?i)?", "missing argument to repetition operator: `?`", at: 4),
    Rejection("{2}", "missing argument to repetition operator: `{2}`", at: 0),
    Rejection("(ab", "missing closing ): `(ab`", at: 0),
    Rejection("a(b(c)", "missing closing ): `(b(c)`", at: 1),
    Rejection("ab)", "unexpected ): `)`", at: 2),
    Rejection("a)b(", "unexpected ): `)b(`", at: 1),
    Rejection("[ab", "missing closing ]: `[ab`", at: 0),
    Rejection("[]", "missing closing ]: `[]`", at: 0),
    Rejection("x[^]", "missing closing ]: `[^]`", at: 1),
    Rejection("[z-a]", "invalid character class range: `z-a`", at: 1),
    Rejection("[a-\\d]", "invalid character class range: `a-\\d`", at: 1),
    Rejection("[[:foo:]]", "invalid character class range: `[:foo:]`", at: 1),
    Rejection("ab\\", "trailing backslash at end of expression", at: 2),
    Rejection("\\q", "invalid escape sequence: `\\q`", at: 0),
    Rejection("\\é", "invalid escape sequence: `\\é`", at: 0),
    Rejection("\\8", "backreferences are not supported: `\\8`", at: 0),
    Rejection("\\xZ1", "invalid escape sequence: `\\xZ`", at: 0),
    Rejection("\\x{110000}", "invalid escape sequence", at: 0),
    Rejection("\\x{41", "invalid escape sequence", at: 0),
    Rejection("\\p{Greek}", "unsupported Unicode class: `\\p{Greek}`", at: 0),
    Rejection("\\p{L", "missing closing } in Unicode class", at: 0),
    Rejection("\\C", "invalid escape sequence: `\\C`", at: 0),
    Rejection("\\Z", "invalid escape sequence: `\\Z`", at: 0),
    Rejection("(?x)a", "invalid or unsupported Perl syntax: `(?x`", at: 0),
    Rejection("(?)", "invalid or unsupported Perl syntax: `(?)`", at: 0),
    Rejection("(?i-)", "invalid or unsupported Perl syntax: `(?i-)`", at: 0),
    Rejection("(?--i)", "invalid or unsupported Perl syntax: `(?--`", at: 0),
    Rejection("(?i", "missing closing ): `(?i`", at: 0),
    Rejection("(?P<>a)", "invalid named capture: `(?P<>`", at: 0),
    Rejection("(?P<a-b>x)", "invalid named capture: `(?P<a-b>`", at: 0),
    Rejection("(?P<a", "invalid named capture: `(?P<a`", at: 0),
    Rejection("(?P<a>x)(?<a>y)", "duplicate capture group name: `a`", at: 8),
    Rejection("a{1001}", "invalid repeat count: `{1001}`", at: 1),
    Rejection("a{2,1001}", "invalid repeat count: `{2,1001}`", at: 1),
    Rejection("a{99999999999999999999}", "invalid repeat count: `{99999999999999999999}`", at: 1),
    Rejection("a{1,99999999999999999999999}", "invalid repeat count", at: 1),
    Rejection("a{3,2}", "invalid repeat count: `{3,2}` (minimum exceeds maximum)", at: 1),
    Rejection("é(?=x)", "lookahead assertions are not supported", at: 1),
    Rejection("e\u{301}e\u{301}(?=x)", "lookahead assertions are not supported", at: 2),
]

@Test("Unsupported and malformed patterns are refused with a message and offset", arguments: rejections)
private func rejectsWithMessageAndOffset(_ rejection: Rejection) {
    do {
        _ = try LinearRegex(rejection.pattern)
        Issue.record("\(rejection.pattern) compiled")
    } catch {
        #expect(error.message.contains(rejection.message), "\(error.message)")
        #expect(error.offset == rejection.offset)
        #expect(error.description.hasSuffix("(at character \(rejection.offset + 1))"))
    }
}

// MARK: Limits

@Test("Programs larger than the limit are refused before they are built")
func oversizedProgramsAreRefused() {
    for pattern in ["(a{1000}){1000}", "((a{100}){100}){100}", "(((((x{1000}){1000}){1000}){1000}){1000}){1000}",
                    "[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}[a-z]{1000}",
                    "(a|b|c|d|e|f|g|h|i|j){1000}"] {
        #expect(throws: LinearRegexError.self, "\(pattern)") { try LinearRegex(pattern) }
        do {
            _ = try LinearRegex(pattern)
        } catch {
            #expect(error.message.hasPrefix("pattern is too large"))
        }
    }
    #expect((try? LinearRegex("(a{1000}){9}")) != nil)
}

@Test("Limits are configurable and enforced")
func configurableLimits() throws {
    let tight = LinearRegex.Limits(maximumPatternLength: 8, maximumRepetition: 5, maximumProgramSize: 20, maximumNesting: 2)
    #expect(throws: LinearRegexError(message: "pattern is too long: 9 bytes, the limit is 8", offset: 0)) {
        try LinearRegex("aaaaaaaaa", limits: tight)
    }
    #expect(throws: LinearRegexError.self) { try LinearRegex("a{6}", limits: tight) }
    #expect(throws: LinearRegexError.self) { try LinearRegex("(a{5}){5}", limits: tight) }
    #expect(throws: LinearRegexError.self) { try LinearRegex("(((a)))", limits: tight) }
    #expect(try LinearRegex("((a))", limits: tight).wholeMatch("a"))
    #expect(try LinearRegex("a{5}", limits: tight).wholeMatch("aaaaa"))
    #expect(throws: LinearRegexError.self) { try LinearRegex(String(repeating: "a", count: 4_097)) }
    let deep = String(repeating: "(", count: 201) + "a" + String(repeating: ")", count: 201)
    #expect(throws: LinearRegexError.self) { try LinearRegex(deep) }
    let allowed = String(repeating: "(?:", count: 200) + "a*" + String(repeating: ")*", count: 200)
    #expect(try LinearRegex(allowed).wholeMatch("aaa"))
}

@Test("Nested repetitions of empty groups compile without work proportional to their counts")
func emptyRepetitionsCostNothing() throws {
    let regex = try LinearRegex("((((((){1000}){1000}){1000}){1000}){1000})a")
    #expect(regex.wholeMatch("a"))
    #expect(!regex.wholeMatch(""))
}

// MARK: Linear time

@Test("Pathological patterns for backtracking engines finish with the right answer")
func pathologicalPatternsFinish() throws {
    for count in [28, 100, 10_000] {
        let aaa = String(repeating: "a", count: count)
        let xxx = String(repeating: "x", count: count)
        #expect(try !LinearRegex("(a+)+").wholeMatch(aaa + "!"))
        #expect(try !LinearRegex("(a|a)*").wholeMatch(aaa + "!"))
        #expect(try !LinearRegex("(a|aa)*").wholeMatch(aaa + "!"))
        #expect(try !LinearRegex("(a*)*b").wholeMatch(aaa + "!"))
        #expect(try !LinearRegex("(x+x+)+y").wholeMatch(xxx + "!"))
        #expect(try !LinearRegex("(a+)+b").firstMatch(in: aaa + "!"))
        #expect(try !LinearRegex("(.*a){20}b").firstMatch(in: aaa))
        #expect(try LinearRegex("(a+)+").wholeMatch(aaa))
        #expect(try LinearRegex("(x+x+)+y").wholeMatch(xxx + "y"))
    }
}

// MARK: Differential testing against Swift's Regex

/// SplitMix64: a tiny deterministic generator, so every run tests the same patterns.
