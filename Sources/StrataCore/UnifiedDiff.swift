/// Line diffs in the unified format (`diff -u`), computed with Myers' O(ND) algorithm.
public enum UnifiedDiff {
    /// One line of an edit script.
    public enum Edit: Equatable, Sendable {
        case same(String)
        case removed(String)
        case added(String)
    }

    /// The unified diff turning `old` into `new`, with `context` unchanged lines around each change and
    /// `---`/`+++` headers naming them; empty when the texts are equal.
    public static func diff(old: String, new: String, oldName: String, newName: String, context: Int = 3) -> String {
        let a = lines(old)
        let b = lines(new)
        let script = edits(a, b)
        guard script.contains(where: { if case .same = $0 { false } else { true } }) else { return "" }
        var output = "--- \(oldName)\n+++ \(newName)\n"
        // Group changes whose context overlaps into hunks.
        var index = 0
        while index < script.count {
            guard let firstChange = script[index...].firstIndex(where: { if case .same = $0 { false } else { true } }) else { break }
            let start = max(index, firstChange - context)
            var end = firstChange
            var lastChange = firstChange
            while end < script.count {
                if case .same = script[end] {
                    if end - lastChange > 2 * context { break }
                } else {
                    lastChange = end
                }
                end += 1
            }
            let stop = min(script.count, lastChange + context + 1)
            var oldStart = 1, newStart = 1
            for edit in script[..<start] {
                switch edit {
                case .same: oldStart += 1; newStart += 1
                case .removed: oldStart += 1
                case .added: newStart += 1
                }
            }
            var oldCount = 0, newCount = 0
            var body = ""
            for edit in script[start..<stop] {
                switch edit {
                case .same(let line): oldCount += 1; newCount += 1; body += " \(line)\n"
                case .removed(let line): oldCount += 1; body += "-\(line)\n"
                case .added(let line): newCount += 1; body += "+\(line)\n"
                }
            }
            output += "@@ -\(range(oldCount == 0 ? oldStart - 1 : oldStart, oldCount)) +\(range(newCount == 0 ? newStart - 1 : newStart, newCount)) @@\n"
            output += body
            index = stop
        }
        return output
    }

    /// Lines added and removed between the texts.
    public static func counts(old: String, new: String) -> (added: Int, removed: Int) {
        var added = 0, removed = 0
        for edit in edits(lines(old), lines(new)) {
            switch edit {
            case .added: added += 1
            case .removed: removed += 1
            case .same: break
            }
        }
        return (added, removed)
    }

    /// The shortest edit script from `a` to `b` (Myers 1986), common prefix and suffix trimmed first.
    public static func edits(_ a: [String], _ b: [String]) -> [Edit] {
        var prefix = 0
        while prefix < a.count, prefix < b.count, a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < a.count - prefix, suffix < b.count - prefix, a[a.count - 1 - suffix] == b[b.count - 1 - suffix] { suffix += 1 }
        let x = Array(a[prefix..<(a.count - suffix)])
        let y = Array(b[prefix..<(b.count - suffix)])
        var script = a[..<prefix].map(Edit.same)
        script += middle(x, y)
        script += a[(a.count - suffix)...].map(Edit.same)
        return script
    }

    private static func middle(_ a: [String], _ b: [String]) -> [Edit] {
        let n = a.count, m = b.count
        if n == 0 { return b.map(Edit.added) }
        if m == 0 { return a.map(Edit.removed) }
        let max = n + m
        var v = [Int](repeating: 0, count: 2 * max + 2)
        // Each step keeps only the diagonals it can reach (2d + 1 of them): memory grows with d², so past
        // `maxEdits` the texts are treated as wholly replaced.
        var trace: [[Int]] = []
        var found = false
        outer: for d in 0...max {
            if d > maxEdits { break }
            trace.append(Array(v[(max - d)...(max + d)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x: Int
                if k == -d || (k != d && v[max + k - 1] < v[max + k + 1]) {
                    x = v[max + k + 1]
                } else {
                    x = v[max + k - 1] + 1
                }
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[max + k] = x
                if x >= n && y >= m { found = true; break outer }
            }
        }
        guard found else { return a.map(Edit.removed) + b.map(Edit.added) }
        // Walk the trace back from (n, m).
        var script: [Edit] = []
        var x = n, y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let row = trace[d]
            func v(_ k: Int) -> Int { row[k + d] }  // diagonal k of step d lives at k + d
            let k = x - y
            let previousK = (k == -d || (k != d && v(k - 1) < v(k + 1))) ? k + 1 : k - 1
            let previousX = d == 0 ? 0 : v(previousK)
            let previousY = d == 0 ? 0 : previousX - previousK
            while x > previousX && y > previousY {
                script.append(.same(a[x - 1]))
                x -= 1; y -= 1
            }
            if d > 0 {
                if x == previousX { script.append(.added(b[y - 1])) } else { script.append(.removed(a[x - 1])) }
            }
            x = previousX
            y = previousY
        }
        return script.reversed()
    }

    /// Edit distance past which two texts count as wholly replaced.
    static let maxEdits = 2000

    private static func lines(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    private static func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
}
