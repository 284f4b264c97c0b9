import Foundation
import StrataCore
import StrataPromQL

/// A script in the language of Prometheus's `promql/testdata/*.test` files, parsed: `load` blocks of series in
/// the expanding notation, `clear`, and `eval` commands with the answer they expect.
struct PromQLTestScript {
    enum Command {
        case load([(labels: Labels, samples: [Sample])])
        case clear
        case eval(Eval)
    }

    /// An `eval[_fail|_ordered] instant at <time> <expr>` and what it expects.
    struct Eval {
        var line: Int
        var expr: String
        var timeMs: Int64
        var fail: Bool
        var ordered: Bool
        /// The elements expected, in order (a scalar answer is one element with no labels and `isScalar`).
        var expected: [(labels: Labels, value: Double)]
        var isScalar: Bool
    }

    struct ScriptError: Error, CustomStringConvertible {
        var description: String
    }

    var commands: [Command] = []

    init(_ text: String) throws {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("#") ? "" : trimmed
        }
        var i = 0
        while i < lines.count {
            let line = lines[i]
            defer { i += 1 }
            if line.isEmpty { continue }
            let word = line.split(separator: " ", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            if word == "clear" {
                commands.append(.clear)
            } else if word == "load" {
                let step = try Self.duration(String(line.dropFirst(4)).trimmingCharacters(in: .whitespaces))
                var series: [(Labels, [Sample])] = []
                while i + 1 < lines.count, !lines[i + 1].isEmpty {
                    i += 1
                    let (labels, values) = try Self.seriesDescription(lines[i])
                    var samples: [Sample] = []
                    for (index, value) in values.enumerated() {
                        guard let value else { continue }
                        samples.append(Sample(Int64(index) * step, value))
                    }
                    series.append((labels, samples))
                }
                commands.append(.load(series))
            } else if word.hasPrefix("eval") {
                let pattern = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(\S+))?\s+(.+)$/
                guard let match = line.wholeMatch(of: pattern) else { throw ScriptError(description: "line \(i + 1): \(line)") }
                var eval = Eval(line: i + 1, expr: String(match.3), timeMs: try Self.duration(String(match.2 ?? "0s")),
                                fail: match.1 == "fail", ordered: match.1 == "ordered", expected: [], isScalar: false)
                while i + 1 < lines.count, !lines[i + 1].isEmpty {
                    i += 1
                    if let number = Self.number(lines[i]) {
                        eval.expected = [(Labels(), number)]
                        eval.isScalar = true
                        break
                    }
                    let (labels, values) = try Self.seriesDescription(lines[i])
                    eval.expected.append((labels, values.first.flatMap { $0 } ?? .nan))
                }
                commands.append(.eval(eval))
            } else {
                throw ScriptError(description: "line \(i + 1): unknown command \(line)")
            }
        }
    }

    /// A Prometheus duration (`50m`, `1h30m`, `0`).
    static func duration(_ text: String) throws -> Int64 {
        if text == "0" { return 0 }
        guard let ms = DurationText.milliseconds(text) ?? Self.compoundDuration(text) else {
            throw ScriptError(description: "bad duration \(text)")
        }
        return ms
    }

    private static func compoundDuration(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000),
                                        ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
        var rest = Substring(text)
        var total: Int64 = 0
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isNumber)
            guard let amount = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            total += amount * unit.1
            rest = rest.dropFirst(unit.0.count)
        }
        return total
    }

    /// A number as the test runner reads an expected scalar (integers in any Go base, floats, ±Inf, NaN).
    static func number(_ text: String) -> Double? {
        if text.contains("{") || text.contains(" ") { return nil }
        return value(text)
    }

    static func value(_ text: String) -> Double? {
        switch text.lowercased() {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "+nan", "-nan": return .nan
        case "stale": return Double(bitPattern: Sample.staleNaNBits)
        default: break
        }
        if text.hasPrefix("0x") || text.hasPrefix("-0x") {
            let negative = text.hasPrefix("-")
            guard let whole = Int64(text.dropFirst(negative ? 3 : 2), radix: 16) else { return nil }
            return Double(negative ? -whole : whole)
        }
        guard let first = text.first, first.isNumber || first == "-" || first == "+" || first == "." else { return nil }
        return Double(text)
    }

    /// `metric{l="v"} 1 2+3x4 _ _x2 stale`: the labels and the values (nil: omitted), one per step.
    static func seriesDescription(_ line: String) throws -> (Labels, [Double?]) {
        var depth = 0, inQuote = false, escaped = false
        var split = line.endIndex
        for index in line.indices {
            let c = line[index]
            if inQuote {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inQuote = false }
                continue
            }
            if c == "\"" { inQuote = true } else if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
            if c == " " || c == "\t", depth == 0 { split = index; break }
        }
        let metric = String(line[..<split])
        let labels = try Self.labels(metric)
        var values: [Double?] = []
        for token in line[split...].split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            values += try Self.expand(String(token))
        }
        return (labels, values)
    }

    static func labels(_ metric: String) throws -> Labels {
        if metric == "{}" { return Labels() }
        let expr: Expr
        do {
            expr = try PromQLParser.parse(metric)
        } catch {
            throw ScriptError(description: "bad metric \(metric): \(error)")
        }
        guard case .vectorSelector(let selector) = expr else { throw ScriptError(description: "bad metric \(metric)") }
        return Labels(selector.matchers.map { Label($0.name, $0.value) })
    }

    /// One item of the expanding notation: `_`, `_xN`, `v`, `vxN` (N+1 values), `a+bxN`/`a-bxN` (N+1 values, the
    /// increment added cumulatively as Prometheus adds it).
    static func expand(_ token: String) throws -> [Double?] {
        if token == "_" { return [nil] }
        if token.hasPrefix("_x"), let count = Int(token.dropFirst(2)) { return Array(repeating: nil, count: count) }
        guard let times = token.lastIndex(of: "x"),
              let count = Int(token[token.index(after: times)...]) else {
            guard let value = value(token) else { throw ScriptError(description: "bad value \(token)") }
            return [value]
        }
        let body = String(token[..<times])
        // The increment starts at the last + or - that is not a sign at the start or after an exponent's e.
        var cut: String.Index?
        var index = body.index(after: body.startIndex)
        while index < body.endIndex {
            let c = body[index]
            let before = body[body.index(before: index)]
            if (c == "+" || c == "-") && before != "e" && before != "E" { cut = index }
            index = body.index(after: index)
        }
        var start: Double, step = 0.0
        if let cut {
            guard let a = value(String(body[..<cut])), let b = value(String(body[cut...])) else {
                throw ScriptError(description: "bad value \(token)")
            }
            (start, step) = (a, b)
        } else {
            guard let a = value(body) else { throw ScriptError(description: "bad value \(token)") }
            start = a
        }
        var values: [Double?] = []
        for _ in 0...count {
            values.append(start)
            start += step
        }
        return values
    }
}
