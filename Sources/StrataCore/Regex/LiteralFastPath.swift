/// Whole-match shortcuts for the shapes label matchers usually take, answered by comparing UTF-8 bytes
/// instead of running the NFA (Prometheus does the same): a literal `foo`, a set of literals
/// `foo|bar|baz`, and a literal with `.*` on either side, `foo.*`, `.*foo`, `.*foo.*` (each optionally
/// written with `^` and `$`).
///
/// Still linear: each check reads the text once per literal (length at most the pattern's). Comparing
/// bytes equals comparing scalars, and a valid UTF-8 literal can only match a valid UTF-8 text at
/// scalar boundaries, so the answers are the NFA's.
enum LiteralFastPath: Sendable {
    /// The text must be these bytes.
    case exact([UInt8])
    /// The text must be one of these byte strings, grouped by length.
    case oneOf([Int: [[UInt8]]])
    /// `.*literal`, `literal.*` or `.*literal.*`; `newlines`: whether `.` matches `\n` (flag `s`).
    case affix(literal: [UInt8], anyBefore: Bool, anyAfter: Bool, newlines: Bool)

    /// The shortcut for `node`, or nil when it has none. A leading `^`/`\A` and a trailing `$`/`\z` (without
    /// `m`) are ignored: a whole match is anchored anyway.
    init?(_ node: RegexNode) {
        var items = Self.flattened(node)
        while case .assertion(.beginText) = items.first { items.removeFirst() }
        while case .assertion(.endText) = items.last { items.removeLast() }
        if let literal = Self.literal(.concatenation(items)) {
            self = .exact(literal)
            return
        }
        if items.count == 1, case .alternation(let alternatives) = items[0] {
            var groups: [Int: [[UInt8]]] = [:]
            for alternative in alternatives {
                guard let literal = Self.literal(alternative) else { return nil }
                groups[literal.count, default: []].append(literal)
            }
            self = .oneOf(groups)
            return
        }
        let first = items.first.flatMap(Self.dotStar)
        if first != nil { items.removeFirst() }
        let last = items.last.flatMap(Self.dotStar)
        if last != nil { items.removeLast() }
        guard first != nil || last != nil, first == nil || last == nil || first == last,
              let literal = Self.literal(.concatenation(items))
        else { return nil }
        self = .affix(literal: literal, anyBefore: first != nil, anyAfter: last != nil, newlines: (first ?? last)!)
    }

    /// Whether `text` matches the whole pattern, or nil when the NFA must decide (a `\n` in the text
    /// under `.` without the `s` flag).
    func wholeMatch(_ text: String) -> Bool? {
        var text = text
        return text.withUTF8 { bytes -> Bool? in
            switch self {
            case .exact(let literal):
                return bytes.elementsEqual(literal)
            case .oneOf(let groups):
                return groups[bytes.count]?.contains { bytes.elementsEqual($0) } ?? false
            case .affix(let literal, let anyBefore, let anyAfter, let newlines):
                if !newlines && bytes.contains(0x0A) { return nil }
                guard bytes.count >= literal.count else { return false }
                switch (anyBefore, anyAfter) {
                case (true, true): return Self.contains(literal, in: bytes)
                case (true, false): return bytes[(bytes.count - literal.count)...].elementsEqual(literal)
                default: return bytes[..<literal.count].elementsEqual(literal)
                }
            }
        }
    }

    /// Whether `needle` occurs in `haystack` (a plain scan: O(haystack × needle), with needle ≤ 4 KiB).
    static func contains(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let head = needle.first else { return true }
        guard haystack.count >= needle.count else { return false }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == head, haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }

    /// The UTF-8 bytes of a node that matches exactly one string, if it is one.
    private static func literal(_ node: RegexNode) -> [UInt8]? {
        var bytes: [UInt8] = []
        for item in flattened(node) {
            guard case .characters(let set) = item, let value = set.singleScalar,
                  let scalar = Unicode.Scalar(value)
            else { return nil }
            bytes.append(contentsOf: String(Character(scalar)).utf8)
        }
        return bytes
    }

    /// For `.*`: whether its `.` matches `\n`; nil for anything else.
    private static func dotStar(_ node: RegexNode) -> Bool? {
        guard case .repetition(.characters(let set), 0, nil) = node else { return nil }
        return set == .any ? true : set == .anyExceptNewline ? false : nil
    }

    /// The items of nested concatenations, in order (`.empty` contributes none).
    private static func flattened(_ node: RegexNode) -> [RegexNode] {
        switch node {
        case .empty: return []
        case .concatenation(let items): return items.flatMap(flattened)
        default: return [node]
        }
    }
}
