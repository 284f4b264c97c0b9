extension RegexParser {
    /// An escape outside a class, at `\`: an assertion (`\A \z \b \B`), a class (`\d \D \s \S \w \W \pL \p{Lu} \P{N}`) or a literal (`\n`, `\x41`, `\x{263a}`, `\.`).
    mutating func parseEscape(_ flags: Flags) throws(LinearRegexError) -> RegexNode {
        guard position + 1 < scalars.count else {
            throw error("trailing backslash at end of expression", at: position)
        }
        switch scalars[position + 1] {
        case "A": position += 2; return .assertion(.beginText)
        case "z": position += 2; return .assertion(.endText)
        case "b": position += 2; return .assertion(.wordBoundary)
        case "B": position += 2; return .assertion(.notWordBoundary)
        default:
            if let set = try parseClassEscape(flags) { return .characters(set) }
            return literal(try parseLiteralEscape(), flags)
        }
    }

    /// `\Q...\E` at `\`: the scalars up to `\E` or the end of the pattern, each a literal (so that a
    /// following quantifier applies to the last one only, as in Go).
    mutating func parseQuoted(_ flags: Flags) -> [RegexNode] {
        position += 2
        var items: [RegexNode] = []
        while let scalar = peek {
            if scalar == "\\", position + 1 < scalars.count, scalars[position + 1] == "E" {
                position += 2
                break
            }
            items.append(literal(scalar.value, flags))
            position += 1
        }
        return items
    }

    /// A class escape at `\` (`\d \D \s \S \w \W \p \P`), case-folded under `(?i)` before any negation
    /// as RE2 does; nil, consuming nothing, for any other escape.
    mutating func parseClassEscape(_ flags: Flags) throws(LinearRegexError) -> CharacterClass? {
        guard position + 1 < scalars.count else { return nil }
        let start = position
        let letter = scalars[position + 1]
        var negated = false
        var set: CharacterClass
        switch letter {
        case "d", "D": set = Self.digit
        case "s", "S": set = Self.perlSpace
        case "w", "W": set = Self.word
        case "p", "P":
            position += 2
            var name: String
            if peek == "{" {
                let open = position
                while let scalar = peek, scalar != "}" { position += 1 }
                guard peek == "}" else {
                    throw error("missing closing } in Unicode class: `\(text(start, scalars.count))`", at: start)
                }
                name = text(open + 1, position)
            } else {
                guard let scalar = peek else {
                    throw error("missing Unicode class name: `\(text(start, position))`", at: start)
                }
                name = String(scalar)
            }
            position += 1
            if name.hasPrefix("^") {
                negated = true
                name.removeFirst()
            }
            guard let ranges = UnicodeCategories.ranges(named: name) else {
                throw error(
                    "unsupported Unicode class: `\(text(start, position))` (general categories such as L, Lu, N, P and Any are supported)",
                    at: start)
            }
            set = CharacterClass(ranges)
            if letter == "P" { negated.toggle() }
            return finish(set, negated: negated, flags)
        default:
            return nil
        }
        position += 2
        return finish(set, negated: letter.properties.isUppercase, flags)
    }

    private func finish(_ set: CharacterClass, negated: Bool, _ flags: Flags) -> CharacterClass {
        let folded = flags.caseInsensitive ? set.caseFolded() : set
        return negated ? folded.inverted() : folded
    }

    /// A literal escape at `\`, inside or outside a class: `\a \f \t \n \r \v`, `\xHH`, `\x{H...}`,
    /// octal `\0`, `\012`, or a backslash before ASCII punctuation. Rejects backreferences and the rest.
    mutating func parseLiteralEscape() throws(LinearRegexError) -> UInt32 {
        let start = position
        guard position + 1 < scalars.count else {
            throw error("trailing backslash at end of expression", at: position)
        }
        let escaped = scalars[position + 1]
        position += 2
        switch escaped {
        case "a": return 0x07
        case "f": return 0x0C
        case "t": return 0x09
        case "n": return 0x0A
        case "r": return 0x0D
        case "v": return 0x0B
        case "x": return try parseHexEscape(start: start)
        case "1"..."7" where peek.map { ("0"..."7").contains($0) } ?? false, "0":
            var value = escaped.value - 0x30
            for _ in 0..<2 {
                guard let digit = peek, ("0"..."7").contains(digit) else { break }
                value = value * 8 + digit.value - 0x30
                position += 1
            }
            return value
        case "1"..."9", "k", "g":
            throw error("backreferences are not supported: `\(text(start, position))`", at: start)
        default:
            if escaped.isASCII, !escaped.properties.isAlphabetic, !("0"..."9").contains(escaped) {
                return escaped.value  // escaped punctuation: `\.`, `\*`, `\\`, `\-` ...
            }
            throw error("invalid escape sequence: `\(text(start, position))`", at: start)
        }
    }

    /// `\xHH` (exactly two hex digits) or `\x{H...}` (up to U+10FFFF), after the `x`.
    private mutating func parseHexEscape(start: Int) throws(LinearRegexError) -> UInt32 {
        var value: UInt32 = 0
        if peek == "{" {
            position += 1
            var count = 0
            while let scalar = peek, let digit = Self.hexValue(scalar) {
                value = value &* 16 &+ digit
                count += 1
                position += 1
                if value > CharacterClass.maximumScalar { break }
            }
            guard count > 0, value <= CharacterClass.maximumScalar, peek == "}" else {
                throw error("invalid escape sequence: `\(text(start, min(position + 1, scalars.count)))`", at: start)
            }
            position += 1
            return value
        }
        for _ in 0..<2 {
            guard let scalar = peek, let digit = Self.hexValue(scalar) else {
                throw error("invalid escape sequence: `\(text(start, min(position + 1, scalars.count)))`", at: start)
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    private static func hexValue(_ scalar: Unicode.Scalar) -> UInt32? {
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    /// `\d` and `[[:digit:]]`: ASCII digits.
    static let digit = CharacterClass([0x30...0x39])
    /// `\s`: RE2's Perl space, `[\t\n\f\r ]` (no `\v`, unlike `[[:space:]]`).
    static let perlSpace = CharacterClass([0x09...0x0A, 0x0C...0x0D, 0x20...0x20])
    /// `\w` and `\b`'s word characters: `[0-9A-Za-z_]`.
    static let word = CharacterClass([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
}
