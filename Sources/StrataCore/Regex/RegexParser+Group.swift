extension RegexParser {
    /// Parses a group at `(`: `( )`, `(?: )`, `(?P<name> )`, `(?<name> )`, `(?flags: )`, or the flag
    /// setting `(?flags)`, which returns nil and changes `flags` for the rest of the enclosing group.
    /// Rejects the Perl constructs RE2 lacks (lookaround, atomic groups, backreferences, comments).
    mutating func parseGroup(_ flags: inout Flags) throws(LinearRegexError) -> RegexNode? {
        let start = position
        position += 1  // `(`
        var inner = flags
        if peek == "?" {
            position += 1
            if let (unsupported, length) = unsupportedGroupKind() {
                throw error("\(unsupported) are not supported: `\(text(start, position + length))`", at: start)
            }
            if peek == "P" || peek == "<" {
                try parseGroupName(start: start)
            } else {
                let (parsed, setsOnly) = try parseFlags(flags, start: start)
                if setsOnly {
                    flags = parsed
                    return nil
                }
                inner = parsed
            }
        }
        depth += 1
        guard depth <= limits.maximumNesting else {
            throw error("pattern nests groups more than \(limits.maximumNesting) deep", at: start)
        }
        let body = try parseAlternation(flags: inner)
        depth -= 1
        guard peek == ")" else {
            throw error("missing closing ): `\(text(start, scalars.count))`", at: start)
        }
        position += 1
        return body
    }

    /// The name of the unsupported construct after `(?`, if it is one, and the length of its marker.
    private func unsupportedGroupKind() -> (String, Int)? {
        guard let marker = peek else { return nil }
        let following = position + 1 < scalars.count ? scalars[position + 1] : nil
        switch marker {
        case "=", "!": return ("lookahead assertions", 1)
        case "<" where following == "=" || following == "!": return ("lookbehind assertions", 2)
        case ">": return ("atomic groups", 1)
        case "#": return ("comments", 1)
        case "|": return ("branch-reset groups", 1)
        case "P" where following == "=": return ("backreferences", 2)
        case "P" where following == ">": return ("recursive patterns", 2)
        case "0"..."9", "R", "&": return ("recursive patterns", 1)
        default: return nil
        }
    }

    /// `P<name>` or `<name>` after `(?`: checks the name is a non-empty, unique word.
    private mutating func parseGroupName(start: Int) throws(LinearRegexError) {
        if peek == "P" { position += 1 }
        guard peek == "<" else {
            throw error("invalid named capture: `\(text(start, position + 1))`", at: start)
        }
        position += 1
        let nameStart = position
        while let scalar = peek, scalar != ">" { position += 1 }
        guard peek == ">" else {
            throw error("invalid named capture: `\(text(start, scalars.count))`", at: start)
        }
        let name = text(nameStart, position)
        position += 1
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ RegexAssertion.isWord($0.value) }) else {
            throw error("invalid named capture: `\(text(start, position))`", at: start)
        }
        guard groupNames.insert(name).inserted else {
            throw error("duplicate capture group name: `\(name)`", at: start)
        }
    }

    /// Flags after `(?`, up to `)` (sets flags for the rest of the group: `setsOnly`) or `:` (a
    /// non-capturing group with those flags). `(?:` is the empty case. Accepts `i`, `m`, `s`, `U` and one
    /// `-` that clears the following flags.
    private mutating func parseFlags(_ flags: Flags, start: Int) throws(LinearRegexError) -> (Flags, setsOnly: Bool) {
        var result = flags
        var negate = false
        var sawFlag = false
        while let scalar = peek {
            position += 1
            switch scalar {
            case "i": result.caseInsensitive = !negate
            case "s": result.dotMatchesNewline = !negate
            case "m": result.multiline = !negate
            case "U": result.ungreedy = !negate
            case "-":
                guard !negate else { break }
                negate = true
                sawFlag = false
                continue
            case ":", ")":
                // `(?)`, `(?-)`, `(?i-)` and `(?-:` name no flag after the last sign; `(?:` is fine.
                if sawFlag || (scalar == ":" && !negate) {
                    return (result, scalar == ")")
                }
            default:
                break
            }
            if scalar == ":" || scalar == ")" || scalar == "-" || !"imsU".unicodeScalars.contains(scalar) {
                throw error("invalid or unsupported Perl syntax: `\(text(start, position))`", at: start)
            }
            sawFlag = true
        }
        throw error("missing closing ): `\(text(start, scalars.count))`", at: start)
    }
}
