extension LinearRegex {
    /// Bounds on what a pattern may cost, checked while compiling so that a hostile pattern is
    /// refused with an error instead of exhausting memory or time.
    ///
    /// Matching time is `O(text length × program size)`, so `maximumProgramSize` also bounds the
    /// per-character cost of every match.
    public struct Limits: Sendable, Equatable {
        /// Longest accepted pattern, in UTF-8 bytes.
        public var maximumPatternLength: Int
        /// Largest count accepted in `{n}`, `{n,}` and `{n,m}` (RE2 uses 1,000).
        public var maximumRepetition: Int
        /// Most instructions the compiled program may have (`(a{1000}){1000}` would need a million).
        public var maximumProgramSize: Int
        /// Deepest nesting of groups and repetitions; bounds the recursion of the compiler.
        public var maximumNesting: Int

        /// Limits; the defaults suit label matchers and PromQL.
        public init(
            maximumPatternLength: Int = 4_096,
            maximumRepetition: Int = 1_000,
            maximumProgramSize: Int = 10_000,
            maximumNesting: Int = 200
        ) {
            self.maximumPatternLength = maximumPatternLength
            self.maximumRepetition = maximumRepetition
            self.maximumProgramSize = maximumProgramSize
            self.maximumNesting = maximumNesting
        }
    }
}
