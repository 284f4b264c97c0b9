/// Runs a `RegexProgram` over text by simulating all NFA threads in lock step (Thompson/Pike), answering
/// only whether there is a match. Used for programs `BitParallelNFA` cannot take (large ones, or those
/// with line or word assertions).
///
/// Linear time: the text's scalars are read once, left to right, never revisited. At each position the
/// live threads are a *set* of instruction indexes: an instruction already added at this position is
/// skipped (`mark[pc] == generation`), so each position costs at most one visit per instruction, and
/// matching costs O(text length × program size), whatever the pattern (`(a+)+`, `(a|a)*`, `(a*)*b`).
/// Memory is O(program size): two thread lists, the marks and a stack, in one buffer per call.
struct PikeVM {
    let program: RegexProgram

    /// Whether the program matches `text`. `anchored`: the match must span the whole text (wholeMatch);
    /// otherwise a match may start and end anywhere (firstMatch), and the first one found ends the run.
    func matches(_ text: String, anchored: Bool) -> Bool {
        let size = program.instructions.count
        return program.instructions.withUnsafeBufferPointer { instructions in
            // One scratch buffer: marks, current list, next list, stack; `size` entries each. Each holds
            // an instruction at most once per position, so none can overflow.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 4 * size) { scratch in
                let base = scratch.baseAddress!
                base.initialize(repeating: -1, count: size)
                var run = Run(instructions: instructions, classes: program.classes, mark: base,
                              current: base + size, next: base + 2 * size, stack: base + 3 * size)
                return run.matches(text, start: program.start, anchored: anchored)
            }
        }
    }

    /// The state of one call: pointers into the scratch buffer, valid only inside `matches`.
    private struct Run {
        let instructions: UnsafeBufferPointer<RegexInstruction>
        let classes: [CharacterClass]
        let mark: UnsafeMutablePointer<Int>
        var current: UnsafeMutablePointer<Int>
        var next: UnsafeMutablePointer<Int>
        let stack: UnsafeMutablePointer<Int>
        var currentCount = 0
        var nextCount = 0

        mutating func matches(_ text: String, start: Int, anchored: Bool) -> Bool {
            var scalars = text.unicodeScalars.makeIterator()
            var scalar: UInt32? = scalars.next()?.value
            var generation = 0
            var matched = addThread(start, generation: 0, previous: nil, next: scalar)
            swap(&current, &next)
            (currentCount, nextCount) = (nextCount, 0)
            while true {
                if matched && (!anchored || scalar == nil) { return true }
                guard let consumed = scalar else { return false }
                if anchored && currentCount == 0 { return false }
                let following = scalars.next()?.value
                generation += 1
                matched = false
                for index in 0..<currentCount {
                    let target: Int
                    switch instructions[current[index]] {
                    case .scalar(let value, let to):
                        guard value == consumed else { continue }
                        target = to
                    case .characters(let set, let to):
                        guard classes[set].contains(consumed) else { continue }
                        target = to
                    case .any(let to):
                        target = to
                    case .anyExceptNewline(let to):
                        guard consumed != 0x0A else { continue }
                        target = to
                    case .split, .assertion, .match:
                        continue  // never in a list: addThread follows these
                    }
                    if addThread(target, generation: generation, previous: consumed, next: following) { matched = true }
                }
                if !anchored && addThread(start, generation: generation, previous: consumed, next: following) {
                    matched = true
                }
                swap(&current, &next)
                (currentCount, nextCount) = (nextCount, 0)
                scalar = following
            }
        }

        /// Adds to the next list the consuming instructions reachable from `pc` by ε-transitions, each at
        /// most once per generation; returns whether `match` is reachable. Iterative, so program size,
        /// not nesting, bounds the work, and the stack never holds an instruction twice.
        private mutating func addThread(_ pc: Int, generation: Int, previous: UInt32?, next following: UInt32?) -> Bool {
            guard mark[pc] != generation else { return false }
            mark[pc] = generation
            stack[0] = pc
            var depth = 1
            var matched = false
            while depth > 0 {
                depth -= 1
                let pc = stack[depth]
                var targets = (-1, -1)
                switch instructions[pc] {
                case .split(let first, let second): targets = (second, first)
                case .assertion(let assertion, let to):
                    if assertion.holds(previous: previous, next: following) { targets.0 = to }
                case .match: matched = true
                case .scalar, .characters, .any, .anyExceptNewline:
                    next[nextCount] = pc
                    nextCount += 1
                }
                if targets.0 >= 0 && mark[targets.0] != generation {
                    mark[targets.0] = generation
                    stack[depth] = targets.0
                    depth += 1
                }
                if targets.1 >= 0 && mark[targets.1] != generation {
                    mark[targets.1] = generation
                    stack[depth] = targets.1
                    depth += 1
                }
            }
            return matched
        }
    }
}
