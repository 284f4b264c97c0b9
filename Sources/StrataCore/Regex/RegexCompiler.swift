/// Compiles a `RegexNode` into a `RegexProgram`, refusing programs over `Limits.maximumProgramSize`
/// before emitting anything (so `(a{1000}){1000}` costs a size computation, not a million instructions).
///
/// Compilation runs backwards: each node is compiled knowing where to continue after it, which makes
/// ε-only nodes (empty groups) free and needs no jump instructions or patch lists.
struct RegexCompiler {
    private var program = RegexProgram()

    /// The program for `node`, or an error at offset 0 if it would be too large.
    static func compile(_ node: RegexNode, limits: LinearRegex.Limits) throws(LinearRegexError) -> RegexProgram {
        let size = instructionCount(node, cap: limits.maximumProgramSize)
        guard size < limits.maximumProgramSize else {  // one more for `match`
            throw LinearRegexError(
                message: "pattern is too large: the compiled program would exceed \(limits.maximumProgramSize) instructions (nested or large repetitions multiply in size)",
                offset: 0)
        }
        var compiler = RegexCompiler()
        compiler.program.instructions.reserveCapacity(size + 1)
        let match = compiler.emit(.match)
        compiler.program.start = compiler.compile(node, next: match)
        return compiler.program
    }

    /// The number of instructions `node` compiles to, or any value above `cap` once it exceeds `cap`.
    /// Uses saturating arithmetic, so a huge product of repetitions cannot overflow.
    static func instructionCount(_ node: RegexNode, cap: Int) -> Int {
        let limit = cap == Int.max ? cap : cap + 1
        func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? limit : min(sum, limit)
        }
        func multiply(_ a: Int, _ b: Int) -> Int {
            let (product, overflow) = a.multipliedReportingOverflow(by: b)
            return overflow ? limit : min(product, limit)
        }
        switch node {
        case .empty:
            return 0
        case .characters, .assertion:
            return 1
        case .concatenation(let items):
            return items.reduce(0) { add($0, instructionCount($1, cap: cap)) }
        case .alternation(let items):
            return items.reduce(items.count - 1) { add($0, instructionCount($1, cap: cap)) }
        case .repetition(let body, let minimum, let maximum):
            let size = instructionCount(body, cap: cap)
            guard let maximum else { return add(multiply(minimum, size), 1) }
            return add(multiply(minimum, size), multiply(maximum - minimum, add(size, 1)))
        }
    }

    private mutating func emit(_ instruction: RegexInstruction) -> Int {
        program.instructions.append(instruction)
        return program.instructions.count - 1
    }

    /// Emits `node` to continue at `next`; returns its entry point.
    private mutating func compile(_ node: RegexNode, next: Int) -> Int {
        switch node {
        case .empty:
            return next
        case .characters(let set):
            if let scalar = set.singleScalar { return emit(.scalar(scalar, next: next)) }
            if set == .any { return emit(.any(next: next)) }
            if set == .anyExceptNewline { return emit(.anyExceptNewline(next: next)) }
            program.classes.append(set)
            return emit(.characters(index: program.classes.count - 1, next: next))
        case .assertion(let assertion):
            return emit(.assertion(assertion, next: next))
        case .concatenation(let items):
            return items.reversed().reduce(next) { compile($1, next: $0) }
        case .alternation(let items):
            let entries = items.map { compile($0, next: next) }
            return entries.dropLast().reversed().reduce(entries[entries.count - 1]) { emit(.split($1, $0)) }
        case .repetition(let body, let minimum, let maximum):
            // A body without instructions (`(){1000}`) matches only the empty string: skip the loops, or
            // nested empty repetitions would spin through a billion iterations emitting nothing.
            if Self.instructionCount(body, cap: 0) == 0 { return next }
            var entry: Int
            if let maximum {
                // x{n,m} = x…x (x(x(x)?)?)? : m - n nested optional copies, each exiting to `next`.
                entry = next
                for _ in 0..<(maximum - minimum) { entry = emit(.split(compile(body, next: entry), next)) }
                for _ in 0..<minimum { entry = compile(body, next: entry) }
            } else {
                // x* is a split looping back to itself; x{n,} = x…x x+ (n - 1 copies before x+).
                let loop = emit(.split(-1, next))
                let bodyEntry = compile(body, next: loop)
                program.instructions[loop] = .split(bodyEntry, next)
                entry = minimum == 0 ? loop : bodyEntry
                for _ in 0..<max(minimum - 1, 0) { entry = compile(body, next: entry) }
            }
            return entry
        }
    }
}
