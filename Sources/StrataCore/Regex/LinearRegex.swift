/// A regular expression in RE2/Go syntax, matched in time linear in the text: no pattern can make a
/// match backtrack (`(a+)+` against `aaaa…a!` finishes as fast as `a+`).
///
/// Patterns compile to a Thompson NFA, simulated with bit masks when it is small (`BitParallelNFA`) and by
/// a Pike VM otherwise (`PikeVM`); common label-matcher shapes (`foo`, `foo|bar`, `.*foo.*`) take a
/// byte-comparison shortcut (`LiteralFastPath`). Matching is over Unicode scalars, as
/// RE2 matches UTF-8 runes. Compilation refuses patterns beyond `Limits`, with an error naming what is
/// wrong. Unsupported, as in RE2: backreferences, lookaround, possessive quantifiers, atomic groups.
///
/// ```swift
/// let regex = try LinearRegex("api-(eu|us)-\\d+")
/// regex.wholeMatch("api-eu-12")          // true
/// regex.firstMatch(in: "host api-us-3")  // true
/// ```
public struct LinearRegex: Sendable {
    /// The pattern as written.
    public let pattern: String
    private let program: RegexProgram
    private let fastPath: LiteralFastPath?
    private let bitParallel: BitParallelNFA?

    /// Compiles `pattern`.
    /// - Parameters:
    ///   - pattern: RE2 syntax: literals, `.`, classes (`[a-z]`, `[^…]`, `\d`, `[[:alpha:]]`, `\pL`),
    ///     escapes, anchors (`^ $ \A \z \b \B`), groups (`( )`, `(?: )`, `(?P<name> )`), flags
    ///     (`(?i) (?s) (?m) (?U)`, `(?i: )`, `(?-i)`), alternation and quantifiers (`* + ? {n,m}`, lazy too).
    ///   - limits: bounds on pattern length, repetition counts and program size.
    /// - Throws: `LinearRegexError` with a message and the character offset of the problem.
    public init(_ pattern: String, limits: LinearRegex.Limits = .init()) throws(LinearRegexError) {
        let node = try RegexParser.parse(pattern, limits: limits)
        self.pattern = pattern
        self.program = try RegexCompiler.compile(node, limits: limits)
        self.fastPath = LiteralFastPath(node)
        self.bitParallel = BitParallelNFA(program)
    }

    /// Whether the pattern matches all of `text`, as Prometheus anchors label regexes (`^(?:pattern)$`).
    public func wholeMatch(_ text: String) -> Bool {
        if let answer = fastPath?.wholeMatch(text) { return answer }
        if let bitParallel { return bitParallel.matches(text, anchored: true) }
        return PikeVM(program: program).matches(text, anchored: true)
    }

    /// Whether the pattern matches somewhere in `text` (an unanchored search).
    public func firstMatch(in text: String) -> Bool {
        if let bitParallel { return bitParallel.matches(text, anchored: false) }
        return PikeVM(program: program).matches(text, anchored: false)
    }
}
