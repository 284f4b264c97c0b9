import Testing
@testable import StrataCore

// Random patterns and texts: the linear-time engine against Swift's backtracking Regex, and its simulations
// against each other.

extension SplitMix64 {
    /// A value in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ choices: [T]) -> T { choices[below(choices.count)] }
}

/// Random patterns over a small alphabet, in the syntax both engines share.
struct PatternGenerator {
    var random: SplitMix64

    mutating func pattern(depth: Int = 3) -> String {
        let alternatives = random.below(4) == 0 ? 2 + random.below(2) : 1
        return (0..<alternatives).map { _ in concatenation(depth: depth) }.joined(separator: "|")
    }

    private mutating func concatenation(depth: Int) -> String {
        (0..<random.below(4)).map { _ in piece(depth: depth) }.joined()
    }

    private mutating func piece(depth: Int) -> String {
        switch random.below(12) {
        case 0: return random.pick(["^", "$", "\\b", "\\B"])
        case 1 where depth > 0: return "(" + pattern(depth: depth - 1) + ")" + quantifier()
        case 2 where depth > 0: return "(?:" + pattern(depth: depth - 1) + ")" + quantifier()
        case 3: return random.pick(["[ab]", "[^a]", "[a-c]", "[^ ]", "[b-c ]", "\\w", "\\s", "\\W"]) + quantifier()
        case 4: return "." + quantifier()
        default: return random.pick(["a", "b", "c", " ", "a", "b", "é"]) + quantifier()
        }
    }

    private mutating func quantifier() -> String {
        let base: String
        switch random.below(10) {
        case 0: base = "*"
        case 1: base = "+"
        case 2: base = "?"
        case 3: base = "{\(random.below(3))}"
        case 4: base = "{\(random.below(3)),}"
        case 5:
            let low = random.below(3)
            base = "{\(low),\(low + random.below(3))}"
        default: return ""
        }
        return random.below(4) == 0 ? base + "?" : base
    }

    mutating func input(newlines: Bool = false) -> String {
        let alphabet: [Character] = ["a", "b", "c", " ", "A", "a", "é", "É", "☺"] + (newlines ? ["\n", "\n"] : [])
        return String((0..<random.below(9)).map { _ in random.pick(alphabet) })
    }
}

/// Swift's Regex configured as RE2 behaves: scalar semantics, ASCII `\w`, `\s`, `\d` and `\b`.
func swiftRegex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
    try Regex(pattern).matchingSemantics(.unicodeScalar).wordBoundaryKind(.simple)
        .asciiOnlyWordCharacters().asciiOnlyWhitespace().asciiOnlyDigits()
}

/// The two simulations of `pattern`'s program, to test each, whichever `LinearRegex` would pick.
func simulations(_ pattern: String) throws -> (pike: PikeVM, bitParallel: BitParallelNFA?) {
    let program = try RegexCompiler.compile(try RegexParser.parse(pattern, limits: .init()), limits: .init())
    return (PikeVM(program: program), BitParallelNFA(program))
}

@Test("Whole matches agree with Swift's backtracking Regex on thousands of random patterns")
func agreesWithSwiftRegex() throws {
    var generator = PatternGenerator(random: SplitMix64(state: 0x5EED_2024))
    var compared = 0
    var comparedBitParallel = 0
    for round in 0..<3_000 {
        let body = generator.pattern()
        let pattern = round % 5 == 0 ? "(?i)" + body : body
        guard let reference = try? swiftRegex(pattern) else {
            continue
        }
        let regex = try LinearRegex(pattern)
        let (pike, bitParallel) = try simulations(pattern)
        for _ in 0..<6 {
            let input = generator.input()
            let expected = (try? reference.wholeMatch(in: input)) != nil
            #expect(regex.wholeMatch(input) == expected, "\(pattern) ~ \(input.debugDescription)")
            #expect(pike.matches(input, anchored: true) == expected, "Pike VM: \(pattern) ~ \(input.debugDescription)")
            if let bitParallel {
                #expect(bitParallel.matches(input, anchored: true) == expected, "bit-parallel: \(pattern) ~ \(input.debugDescription)")
                comparedBitParallel += 1
            }
            compared += 1
        }
    }
    #expect(compared > 15_000)
    #expect(comparedBitParallel > 10_000)
}

@Test("Unanchored search agrees with Swift's Regex on random patterns")
func firstMatchAgreesWithSwiftRegex() throws {
    var generator = PatternGenerator(random: SplitMix64(state: 42))
    for _ in 0..<1_500 {
        let pattern = generator.pattern()
        guard let reference = try? swiftRegex(pattern) else {
            continue
        }
        let regex = try LinearRegex(pattern)
        let (pike, bitParallel) = try simulations(pattern)
        for _ in 0..<4 {
            let input = generator.input()
            let expected = (try? reference.firstMatch(in: input)) != nil
            #expect(regex.firstMatch(in: input) == expected, "\(pattern) ~ \(input.debugDescription)")
            #expect(pike.matches(input, anchored: false) == expected, "Pike VM: \(pattern) ~ \(input.debugDescription)")
            if let bitParallel {
                #expect(bitParallel.matches(input, anchored: false) == expected, "bit-parallel: \(pattern) ~ \(input.debugDescription)")
            }
        }
    }
}

@Test("Line anchors and dot-all agree with Swift's Regex on texts with newlines")
func multilineAgreesWithSwiftRegex() throws {
    var generator = PatternGenerator(random: SplitMix64(state: 7))
    for round in 0..<1_000 {
        let pattern = ["(?m)", "(?ms)", "(?mi)"][round % 3] + generator.pattern()
        guard let reference = try? swiftRegex(pattern) else { continue }
        let regex = try LinearRegex(pattern)
        let (pike, _) = try simulations(pattern)
        for _ in 0..<4 {
            let input = generator.input(newlines: true)
            let whole = (try? reference.wholeMatch(in: input)) != nil
            let first = (try? reference.firstMatch(in: input)) != nil
            #expect(regex.wholeMatch(input) == whole, "\(pattern) ~ \(input.debugDescription)")
            #expect(pike.matches(input, anchored: true) == whole, "Pike VM: \(pattern) ~ \(input.debugDescription)")
            #expect(regex.firstMatch(in: input) == first, "search: \(pattern) ~ \(input.debugDescription)")
        }
    }
}

@Test("Both simulations agree on the syntax table, and large programs fall back to the Pike VM")
func simulationsAgreeOnSyntaxTable() throws {
    for test in wholeMatchCases {
        let (pike, bitParallel) = try simulations(test.pattern)
        #expect(pike.matches(test.input, anchored: true) == test.matches, "Pike VM: \(test.testDescription)")
        if let bitParallel {
            #expect(bitParallel.matches(test.input, anchored: true) == test.matches, "bit-parallel: \(test.testDescription)")
        }
    }
    #expect(try simulations("a{256}").bitParallel == nil)
    #expect(try simulations("a{255}").bitParallel != nil)
    #expect(try simulations("\\bfoo").bitParallel == nil)
    #expect(try simulations("(?m)^foo").bitParallel == nil)
    #expect(try simulations("^foo$").bitParallel != nil)
    let big = try LinearRegex("(?:[a-c]x){300}")
    #expect(big.wholeMatch(String(repeating: "bx", count: 300)))
    #expect(!big.wholeMatch(String(repeating: "bx", count: 299)))
    #expect(big.firstMatch(in: "!" + String(repeating: "ax", count: 300) + "!"))
}

// MARK: Fast paths

@Test("Literal shortcuts answer exactly as the NFA does")
func literalShortcutsAgreeWithNFA() throws {
    let patterns = ["foo", "", "foo|bar|baz", "a|ab|abc|", ".*foo", "foo.*", ".*foo.*", "(?s).*foo.*", ".*", "(?s).*",
                    ".*é.*", "(?:foo)(?:bar).*", "K", "é", "\u{212A}", "^foo$", "^.*foo", "\\Afoo.*\\z", "^(?:foo|bar)$"]
    let inputs = ["", "foo", "bar", "baz", "ba", "xfoo", "foox", "xfoox", "fo", "a", "ab", "abc", "abcd", "x\nfoo",
                  "foo\n", "\n", "café", "cafe\u{301}", "K", "\u{212A}", "e\u{301}", "foobar", "foobarx"]
    for pattern in patterns {
        let node = try RegexParser.parse(pattern, limits: .init())
        #expect(LiteralFastPath(node) != nil, "\(pattern) has no shortcut")
        let nfa = PikeVM(program: try RegexCompiler.compile(node, limits: .init()))
        let regex = try LinearRegex(pattern)
        for input in inputs {
            #expect(regex.wholeMatch(input) == nfa.matches(input, anchored: true), "\(pattern) ~ \(input.debugDescription)")
        }
    }
    #expect(try LinearRegex(".*foo.*").wholeMatch("a foo b"))
    #expect(try !LinearRegex(".*foo.*").wholeMatch("a\nfoo"))
    #expect(try !LinearRegex("K").wholeMatch("\u{212A}"))
}

// MARK: Concurrency

@Test("A compiled regex is shared across concurrent tasks")
func sharedAcrossTasks() async throws {
    let regex = try LinearRegex("node-[0-9]+\\.(eu|us)")
    let results = await withTaskGroup(of: Bool.self) { group in
        for index in 0..<8 { group.addTask { regex.wholeMatch("node-\(index).eu") } }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.count == 8 && results.allSatisfy { $0 })
}
