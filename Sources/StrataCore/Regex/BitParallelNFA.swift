/// A faster simulation of small programs: the set of live threads is a 256-bit mask, and the
/// ε-closures are computed once, at compile time, instead of at every position as `PikeVM` does.
///
/// Applies to programs with fewer than 256 consuming instructions whose only assertions are `\A`/`^`
/// and `\z`/`$` without `m` (label matchers and most PromQL patterns); the others run on `PikeVM`.
/// The closures depend on the position only through "at the start" and "at the end", so each is kept
/// for those contexts.
///
/// Linear time: each scalar is read once, and one step costs at most one OR of a precomputed closure
/// per live thread (≤ 255), so O(text length × 255 × 4 words) whatever the pattern. An ASCII scalar
/// is tested against all threads at once with a precomputed mask.
struct BitParallelNFA: Sendable {
    /// How a consuming state tests a scalar.
    private enum Test: Sendable {
        case scalar(UInt32)
        case set(CharacterClass)
        case any
        case anyExceptNewline

        func accepts(_ value: UInt32) -> Bool {
            switch self {
            case .scalar(let expected): return value == expected
            case .set(let set): return set.contains(value)
            case .any: return true
            case .anyExceptNewline: return value != 0x0A
            }
        }
    }

    /// Consuming states in order of their bit; the match state is bit `matchBit`.
    private let tests: [Test]
    private let matchBit: Int
    /// For each ASCII scalar, the states that accept it.
    private let asciiAccepts: [Bits256]
    /// `follows[2 * state + (atEnd ? 1 : 0)]`: the states reached after `state` consumes a scalar.
    private let follows: [Bits256]
    /// `starts[2 * (atStart ? 1 : 0) + (atEnd ? 1 : 0)]`: the closure of the program's start.
    private let starts: [Bits256]

    /// The simulation of `program`, or nil when it has 256 or more consuming instructions, a line or word
    /// assertion, or more than 2,048 instructions (bounding the closure computation to about 255 × 2 ×
    /// 2,048 steps).
    init?(_ program: RegexProgram) {
        guard program.instructions.count <= 2_048 else { return nil }
        var bitOf = [Int](repeating: -1, count: program.instructions.count)
        var tests: [Test] = []
        var targets: [Int] = []
        for (pc, instruction) in program.instructions.enumerated() {
            let test: Test
            let target: Int
            switch instruction {
            case .scalar(let value, let next): (test, target) = (.scalar(value), next)
            case .characters(let index, let next): (test, target) = (.set(program.classes[index]), next)
            case .any(let next): (test, target) = (.any, next)
            case .anyExceptNewline(let next): (test, target) = (.anyExceptNewline, next)
            case .assertion(.beginText, _), .assertion(.endText, _), .split, .match: continue
            case .assertion: return nil
            }
            bitOf[pc] = tests.count
            tests.append(test)
            targets.append(target)
        }
        guard tests.count < Bits256.capacity else { return nil }
        let matchBit = tests.count

        var visited = [Int](repeating: -1, count: program.instructions.count)
        var visit = 0
        func closure(_ pc: Int, atStart: Bool, atEnd: Bool) -> Bits256 {
            var result = Bits256()
            visit += 1
            var stack = [pc]
            while let pc = stack.popLast() {
                guard visited[pc] != visit else { continue }
                visited[pc] = visit
                switch program.instructions[pc] {
                case .split(let first, let second): stack += [second, first]
                case .assertion(.beginText, let next): if atStart { stack.append(next) }
                case .assertion(.endText, let next): if atEnd { stack.append(next) }
                case .assertion: break  // excluded above
                case .match: result.insert(matchBit)
                default: result.insert(bitOf[pc])
                }
            }
            return result
        }
        self.tests = tests
        self.matchBit = matchBit
        follows = targets.flatMap { [closure($0, atStart: false, atEnd: false), closure($0, atStart: false, atEnd: true)] }
        starts = [(false, false), (false, true), (true, false), (true, true)].map {
            closure(program.start, atStart: $0.0, atEnd: $0.1)
        }
        asciiAccepts = (0..<128).map { value in
            var mask = Bits256()
            for (bit, test) in tests.enumerated() where test.accepts(UInt32(value)) { mask.insert(bit) }
            return mask
        }
    }

    /// Whether the program matches `text`: all of it when `anchored`, otherwise anywhere.
    func matches(_ text: String, anchored: Bool) -> Bool {
        var scalars = text.unicodeScalars.makeIterator()
        var scalar = scalars.next()?.value
        var live = starts[2 + (scalar == nil ? 1 : 0)]
        while true {
            if live.contains(matchBit) && (!anchored || scalar == nil) { return true }
            guard let consumed = scalar else { return false }
            if anchored && live.isEmpty { return false }
            scalar = scalars.next()?.value
            let end = scalar == nil ? 1 : 0
            var accepted: Bits256
            if consumed < 128 {
                accepted = live.intersection(asciiAccepts[Int(consumed)])
            } else {
                accepted = Bits256()
                live.forEach { bit in
                    if bit != matchBit && tests[bit].accepts(consumed) { accepted.insert(bit) }
                }
            }
            var next = anchored ? Bits256() : starts[end]
            accepted.forEach { bit in next.formUnion(follows[2 * bit + end]) }
            live = next
        }
    }
}

/// A fixed-size set of 256 bits: no allocation, so a step of `BitParallelNFA` is pure arithmetic.
struct Bits256: Sendable, Equatable {
    static let capacity = 256
    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0, w3: UInt64 = 0

    var isEmpty: Bool { (w0 | w1 | w2 | w3) == 0 }

    mutating func insert(_ bit: Int) {
        let mask = UInt64(1) << UInt64(bit & 63)
        switch bit >> 6 {
        case 0: w0 |= mask
        case 1: w1 |= mask
        case 2: w2 |= mask
        default: w3 |= mask
        }
    }

    func contains(_ bit: Int) -> Bool {
        let word: UInt64
        switch bit >> 6 {
        case 0: word = w0
        case 1: word = w1
        case 2: word = w2
        default: word = w3
        }
        return word & (UInt64(1) << UInt64(bit & 63)) != 0
    }

    mutating func formUnion(_ other: Bits256) {
        w0 |= other.w0; w1 |= other.w1; w2 |= other.w2; w3 |= other.w3
    }

    func intersection(_ other: Bits256) -> Bits256 {
        var result = Bits256()
        result.w0 = w0 & other.w0; result.w1 = w1 & other.w1; result.w2 = w2 & other.w2; result.w3 = w3 & other.w3
        return result
    }

    /// Calls `body` with each set bit, in increasing order.
    func forEach(_ body: (Int) -> Void) {
        for (index, word) in [w0, w1, w2, w3].enumerated() where word != 0 {
            var remaining = word
            while remaining != 0 {
                body(index << 6 | remaining.trailingZeroBitCount)
                remaining &= remaining - 1
            }
        }
    }
}
