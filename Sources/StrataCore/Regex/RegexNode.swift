/// The parsed form of a pattern: what `RegexParser` produces and `RegexCompiler` consumes.
///
/// Flags are already applied: a case-insensitive literal is a `.characters` set holding its case
/// variants, `.` is `.characters(.any)` or `.characters(.anyExceptNewline)`, and `^`/`$` are the text or
/// line assertion the `m` flag selects. Captures and laziness are dropped, since matching only answers
/// whether there is a match.
indirect enum RegexNode: Sendable, Equatable {
    /// Matches the empty string.
    case empty
    /// Matches one scalar in the set.
    case characters(CharacterClass)
    /// Matches the empty string where the condition holds.
    case assertion(RegexAssertion)
    /// Matches each part in order.
    case concatenation([RegexNode])
    /// Matches any one of the alternatives.
    case alternation([RegexNode])
    /// Matches `node` at least `minimum` and at most `maximum` times (`nil`: unbounded).
    /// Invariant: `minimum <= maximum`, both at most `Limits.maximumRepetition` when from `{n,m}`.
    case repetition(RegexNode, minimum: Int, maximum: Int?)
}

/// A zero-width condition on the scalars around a position.
enum RegexAssertion: Sendable, Equatable {
    /// `\A`, or `^` without `m`: the start of the text.
    case beginText
    /// `\z`, or `$` without `m`: the end of the text (Go's `$`, unlike Perl's, ignores a final `\n`).
    case endText
    /// `^` with `m`: the start of the text or just after `\n`.
    case beginLine
    /// `$` with `m`: the end of the text or just before `\n`.
    case endLine
    /// `\b`: an ASCII word character (`[0-9A-Za-z_]`) on exactly one side.
    case wordBoundary
    /// `\B`: not a word boundary.
    case notWordBoundary

    /// Whether the assertion holds between `previous` and `next` (`nil` at either end of the text).
    func holds(previous: UInt32?, next: UInt32?) -> Bool {
        switch self {
        case .beginText: return previous == nil
        case .endText: return next == nil
        case .beginLine: return previous == nil || previous == 0x0A
        case .endLine: return next == nil || next == 0x0A
        case .wordBoundary: return Self.isWord(previous) != Self.isWord(next)
        case .notWordBoundary: return Self.isWord(previous) == Self.isWord(next)
        }
    }

    /// Whether `scalar` is an ASCII word character, as RE2's `\b` defines it.
    static func isWord(_ scalar: UInt32?) -> Bool {
        guard let scalar else { return false }
        switch scalar {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        default: return false
        }
    }
}
