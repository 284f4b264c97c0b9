/// One instruction of a compiled pattern. Consuming instructions test the current scalar and continue at
/// `next`; the others are followed without consuming input (ε-transitions).
enum RegexInstruction: Sendable, Equatable {
    /// Consumes exactly this scalar.
    case scalar(UInt32, next: Int)
    /// Consumes a scalar in `RegexProgram.classes[index]`.
    case characters(index: Int, next: Int)
    /// Consumes any scalar.
    case any(next: Int)
    /// Consumes any scalar but `\n`.
    case anyExceptNewline(next: Int)
    /// Continues at both targets.
    case split(Int, Int)
    /// Continues at `next` where the assertion holds.
    case assertion(RegexAssertion, next: Int)
    /// The pattern has matched.
    case match
}

/// A pattern compiled to a Thompson NFA: a list of instructions with a start, run by `PikeVM`.
///
/// Invariant: `instructions.count <= Limits.maximumProgramSize`, every target is a valid index, and
/// every cycle passes through a consuming instruction or revisits an instruction already added at the
/// same position (which the VM skips), so following ε-transitions always terminates.
struct RegexProgram: Sendable {
    /// The instructions; targets are indexes into this array.
    var instructions: [RegexInstruction] = []
    /// Sets used by `.characters` instructions.
    var classes: [CharacterClass] = []
    /// Where matching starts.
    var start = 0
}
