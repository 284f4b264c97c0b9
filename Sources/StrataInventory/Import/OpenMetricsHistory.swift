import StrataCore

/// Historical series from OpenMetrics text (`name{label="value"} VALUE TIMESTAMP`, timestamps in seconds as
/// OpenMetrics writes them, `# TYPE` lines typing families, `# EOF` ending the text). Every sample needs a
/// timestamp: history without one has no time. Lines of one series may be interleaved with others; each series'
/// samples must come oldest first (checked by `ImportValidator` with the rest).
public enum OpenMetricsHistory {
    /// The series of `text`, all of the resource with key `resource`, named in messages after `record`.
    public static func parse(_ text: String, resource: String, record: String, limits: ImportLimits) throws(ImportError) -> [ImportPlan.Series] {
        var types: [String: MetricType] = [:]
        var order: [String] = []
        var series: [String: ImportPlan.Series] = [:]
        var samples = 0
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine[...]
            let place = "\(record) line \(lineNumber)"
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let words = line.split(separator: " ", omittingEmptySubsequences: true)
                if words.count >= 2, words[1] == "EOF" { break }
                if words.count >= 4, words[1] == "TYPE" {
                    let name = String(words[2])
                    switch words[3] {
                    case "counter": types[name] = .counter
                    case "histogram", "gaugehistogram": types[name] = .histogram
                    case "summary": types[name] = .summary
                    default: types[name] = .gauge
                    }
                }
                continue
            }
            var scanner = Scanner(bytes: Array(line.utf8), place: place)
            let (name, labels) = try scanner.nameAndLabels()
            let value = try scanner.value()
            guard let seconds = scanner.timestamp() else {
                throw ImportError(record: place, reason: "no timestamp; every sample of imported history needs one (seconds, as OpenMetrics writes them)")
            }
            let ms = (seconds * 1000).rounded()
            guard ms.isFinite, ms >= 0, ms <= Double(ImportTime.latestMs) else {
                throw ImportError(record: place, reason: "timestamp \(seconds) is outside 1970 … 9999 (seconds)")
            }
            let checked = try ImportValidator.labels(labels, record: place, limits: limits)
            let identity = name + "{" + checked.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
            if series[identity] == nil {
                guard series.count < limits.series else {
                    throw ImportError(record: record, reason: "more than \(limits.series) series; split the document", tooLarge: true)
                }
                order.append(identity)
                series[identity] = ImportPlan.Series(record: "\(record) series \(identity)", resource: resource, metric: name,
                                                     type: family(of: name, types) ?? .gauge, labels: checked, samples: [])
            }
            samples += 1
            guard samples <= limits.samples else {
                throw ImportError(record: record, reason: "more than \(limits.samples) samples; split the document", tooLarge: true)
            }
            series[identity]!.samples.append(Sample(Int64(ms), value))
        }
        return order.map { series[$0]! }
    }

    /// The type of the family a sample name belongs to (`x_total` of counter `x`, `x_bucket` of histogram `x`, …).
    static func family(of name: String, _ types: [String: MetricType]) -> MetricType? {
        if let type = types[name] { return type }
        for suffix in ["_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum"] where name.hasSuffix(suffix) {
            if let type = types[String(name.dropLast(suffix.count))] { return type }
        }
        return nil
    }

    /// Reads one sample line.
    struct Scanner {
        let bytes: [UInt8]
        let place: String
        var index = 0

        init(bytes: [UInt8], place: String) {
            self.bytes = bytes
            self.place = place
        }

        func fail(_ reason: String) -> ImportError { ImportError(record: place, reason: reason) }

        mutating func nameAndLabels() throws(ImportError) -> (String, [String: String]) {
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "{"), bytes[index] != UInt8(ascii: " ") { index += 1 }
            let name = String(decoding: bytes[start..<index], as: UTF8.self)
            guard MetricName.isValid(name) else { throw fail("\"\(name.prefix(64))\" is not a valid metric name") }
            var labels: [String: String] = [:]
            guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { return (name, labels) }
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "}") {
                let nameStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "=") { index += 1 }
                let label = String(decoding: bytes[nameStart..<index], as: UTF8.self)
                guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") else { throw fail("label \(label.prefix(64)) needs =\"value\"") }
                index += 2
                var value: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count {
                        index += 1
                        value.append(bytes[index] == UInt8(ascii: "n") ? 10 : bytes[index])
                    } else {
                        value.append(bytes[index])
                    }
                    index += 1
                }
                guard index < bytes.count else { throw fail("label \(label.prefix(64)) has an unterminated value") }
                index += 1
                guard labels.updateValue(String(decoding: value, as: UTF8.self), forKey: label) == nil else { throw fail("label \(label.prefix(64)) given twice") }
                if index < bytes.count, bytes[index] == UInt8(ascii: ",") { index += 1 }
            }
            guard index < bytes.count else { throw fail("unterminated label set") }
            index += 1
            return (name, labels)
        }

        mutating func word() -> String? {
            while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
            let start = index
            while index < bytes.count, bytes[index] != UInt8(ascii: " ") { index += 1 }
            return start < index ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }

        mutating func value() throws(ImportError) -> Double {
            guard let text = word() else { throw fail("no value") }
            switch text {
            case "NaN": return .nan
            case "+Inf", "Inf": return .infinity
            case "-Inf": return -.infinity
            default:
                guard let value = Double(text) else { throw fail("value \"\(text.prefix(64))\" is not a number") }
                return value
            }
        }

        /// The timestamp in seconds, nil when the line has none (an exemplar after `#` is not one).
        mutating func timestamp() -> Double? {
            guard let text = word(), text != "#" else { return nil }
            return Double(text)
        }
    }
}
