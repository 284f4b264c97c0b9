extension RegexParser {
    /// A bracket class at `[`: `[abc]`, `[a-z]`, `[^...]`, `[]a]` (a leading `]` is literal), escapes,
    /// Perl classes (`[\d_]`), Unicode classes (`[\pL]`) and POSIX classes (`[[:alpha:]]`, `[[:^digit:]]`).
    /// A `-` first, last or after a range is literal, as in Go.
    mutating func parseClass(_ flags: Flags) throws(LinearRegexError) -> RegexNode {
        let start = position
        position += 1
        var negated = false
        if peek == "^" {
            negated = true
            position += 1
        }
        var ranges: [ClosedRange<UInt32>] = []
        var first = true
        while true {
            guard let scalar = peek else {
                throw error("missing closing ]: `\(text(start, scalars.count))`", at: start)
            }
            if scalar == "]" && !first {
                position += 1
                break
            }
            first = false
            if scalar == "[", let set = try parsePosixClass(flags) {
                ranges += set.ranges
                continue
            }
            if scalar == "\\", let set = try parseClassEscape(flags) {
                ranges += set.ranges
                continue
            }
            let itemStart = position
            let low = try parseClassCharacter(rangeStart: nil)
            if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                position += 1
                let high = try parseClassCharacter(rangeStart: itemStart)
                guard low <= high else {
                    throw error("invalid character class range: `\(text(itemStart, position))`", at: itemStart)
                }
                ranges.append(low...high)
            } else {
                ranges.append(low...low)
            }
        }
        var set = CharacterClass(ranges)
        if flags.caseInsensitive { set = set.caseFolded() }
        return .characters(negated ? set.inverted() : set)
    }

    /// One scalar of a class: a literal or a literal escape. `rangeStart` is set for the upper end of a
    /// range, where a class escape such as `\d` is an invalid range.
    private mutating func parseClassCharacter(rangeStart: Int?) throws(LinearRegexError) -> UInt32 {
        guard let scalar = peek else {
            throw error("missing closing ]: `\(text(rangeStart ?? position, scalars.count))`", at: rangeStart ?? position)
        }
        guard scalar == "\\" else {
            position += 1
            return scalar.value
        }
        if let rangeStart, position + 1 < scalars.count, "dDsSwWpP".unicodeScalars.contains(scalars[position + 1]) {
            throw error("invalid character class range: `\(text(rangeStart, position + 2))`", at: rangeStart)
        }
        return try parseLiteralEscape()
    }

    /// A POSIX class at `[`, such as `[:alpha:]` or `[:^space:]`; nil (consuming nothing) when the `[`
    /// does not start `[:...:]`, so that it is a literal `[`.
    private mutating func parsePosixClass(_ flags: Flags) throws(LinearRegexError) -> CharacterClass? {
        guard position + 1 < scalars.count, scalars[position + 1] == ":" else { return nil }
        var end = position + 2
        while end + 1 < scalars.count, !(scalars[end] == ":" && scalars[end + 1] == "]") { end += 1 }
        guard end + 1 < scalars.count else { return nil }
        let start = position
        var name = text(position + 2, end)
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let set = Self.posixClasses[name] else {
            throw error("invalid character class range: `\(text(start, end + 2))` (unknown POSIX class)", at: start)
        }
        position = end + 2
        let folded = flags.caseInsensitive ? set.caseFolded() : set
        return negated ? folded.inverted() : folded
    }

    /// The POSIX classes, ASCII only as in RE2.
    static let posixClasses: [String: CharacterClass] = [
        "alnum": CharacterClass([0x30...0x39, 0x41...0x5A, 0x61...0x7A]),
        "alpha": CharacterClass([0x41...0x5A, 0x61...0x7A]),
        "ascii": CharacterClass([0x00...0x7F]),
        "blank": CharacterClass([0x09...0x09, 0x20...0x20]),
        "cntrl": CharacterClass([0x00...0x1F, 0x7F...0x7F]),
        "digit": CharacterClass([0x30...0x39]),
        "graph": CharacterClass([0x21...0x7E]),
        "lower": CharacterClass([0x61...0x7A]),
        "print": CharacterClass([0x20...0x7E]),
        "punct": CharacterClass([0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E]),
        "space": CharacterClass([0x09...0x0D, 0x20...0x20]),
        "upper": CharacterClass([0x41...0x5A]),
        "word": CharacterClass([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]),
        "xdigit": CharacterClass([0x30...0x39, 0x41...0x46, 0x61...0x66]),
    ]
}
