/// Shell-style globs over file paths: `*` and `?` within one path segment, `**` across segments.
/// Matched by dynamic programming over pattern tokens × path bytes, so a hostile pattern costs at most
/// (pattern length + 1) × (path length + 1) steps, never exponential backtracking.
public enum PathGlob {
    enum Token: Equatable {
        case byte(UInt8), one, segment, anything
    }

    /// Whether `path` matches `pattern`.
    public static func matches(_ pattern: String, _ path: String) -> Bool {
        let s = Array(path.utf8)
        let slash = UInt8(ascii: "/")
        var row = [Bool](repeating: false, count: s.count + 1)
        row[0] = true
        for token in tokens(pattern) {
            var next = [Bool](repeating: false, count: s.count + 1)
            switch token {
            case .anything, .segment:
                next[0] = row[0]
                for j in 1..<(s.count + 1) {
                    next[j] = row[j] || (next[j - 1] && (token == .anything || s[j - 1] != slash))
                }
            case .one:
                for j in 1..<(s.count + 1) { next[j] = row[j - 1] && s[j - 1] != slash }
            case .byte(let byte):
                for j in 1..<(s.count + 1) { next[j] = row[j - 1] && s[j - 1] == byte }
            }
            row = next
        }
        return row[s.count]
    }

    static func tokens(_ pattern: String) -> [Token] {
        let bytes = Array(pattern.utf8)
        var tokens: [Token] = []
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "*"):
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "*") {
                    tokens.append(.anything)
                    index += 2
                } else {
                    tokens.append(.segment)
                    index += 1
                }
            case UInt8(ascii: "?"):
                tokens.append(.one)
                index += 1
            case let byte:
                tokens.append(.byte(byte))
                index += 1
            }
        }
        return tokens
    }
}
