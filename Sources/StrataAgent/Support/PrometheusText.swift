import StrataCore

/// The Prometheus text exposition format (0.0.4), read into readings: `# TYPE` lines give counter or gauge
/// (histogram and summary `_bucket`/`_count`/`_sum` are counters; untyped is a gauge unless it ends in
/// `_total`); timestamps on sample lines are ignored (the agent stamps its own); NaN and ±Inf are kept.
enum PrometheusText {
    /// Why a scrape answer could not be read.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The readings in `text`; at most `limit` of them (more is an error, not a silent cut).
    static func parse(_ text: String, limit: Int = 20_000) throws -> [Reading] {
        var types: [Substring: Substring] = [:]
        var readings: [Reading] = []
        var number = 0
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", maxSplits: 3)
                if words.count >= 4, words[1] == "TYPE" { types[words[2]] = words[3] }
                continue
            }
            guard let reading = try sample(line, types: types) else {
                throw Failure(description: "line \(number) is not a sample: \(line.prefix(80))")
            }
            readings.append(reading)
            if readings.count > limit { throw Failure(description: "more than \(limit) samples in one scrape") }
        }
        return readings
    }

    /// One `name{labels} value [timestamp]` line.
    static func sample(_ line: Substring, types: [Substring: Substring]) throws -> Reading? {
        guard let nameEnd = line.firstIndex(where: { $0 == "{" || $0 == " " || $0 == "\t" }) else { return nil }
        let name = line[..<nameEnd]
        guard MetricName.isValid(String(name)) else { return nil }
        var rest = line[nameEnd...]
        var labels: [Label] = []
        if rest.first == "{" {
            rest = rest.dropFirst()
            while true {
                rest = rest.drop { $0 == " " || $0 == "," }
                if rest.first == "}" { rest = rest.dropFirst(); break }
                guard let equals = rest.firstIndex(of: "=") else { return nil }
                let label = rest[..<equals].trimmingSpaces
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { return nil }
                rest = rest.dropFirst()
                var value = ""
                var escaped = false
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character == "n" ? "\n" : character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed, !label.isEmpty else { return nil }
                labels.append(Label(label, value))
            }
        }
        let fields = rest.fields
        guard let valueText = fields.first, let value = parseValue(valueText) else { return nil }
        return Reading(metric: String(name), type: type(of: name, types: types), labels: Labels(labels), value: value)
    }

    static func parseValue(_ text: Substring) -> Double? {
        switch text {
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        case "NaN": return .nan
        default: return Double(text)
        }
    }

    /// Counter or gauge, from the family's `# TYPE` (a histogram's `_bucket` belongs to its base name).
    static func type(of name: Substring, types: [Substring: Substring]) -> MetricType {
        if let declared = types[name] { return declared == "counter" ? .counter : .gauge }
        for suffix in ["_bucket", "_count", "_sum", "_total"] where name.hasSuffix(suffix) {
            let family = name.dropLast(suffix.count)
            if let declared = types[family] { return declared == "gauge" || declared == "untyped" ? .gauge : .counter }
        }
        return name.hasSuffix("_total") ? .counter : .gauge
    }
}
