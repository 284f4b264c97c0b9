/// Metric and label names from OTLP as Prometheus's OTLP translator builds them (`otlptranslator`,
/// "add metric suffixes" on, its default): the name split into words at every character that is not an
/// ASCII letter or digit, the unit's Prometheus word appended unless already there (`s` → `seconds`,
/// `By` → `bytes`, `m/s` → `meters_per_second`; units in braces are annotations and dropped), `_total` last
/// for monotonic sums, `_ratio` for gauges of unit `1`, and `_` in front of a leading digit.
public enum OTLPNames {
    /// What kind of metric a name is built for (decides `_total` and `_ratio`).
    public enum Kind: Sendable {
        case gauge, counter, other
    }

    /// The Prometheus metric name of an OTLP metric.
    public static func metricName(_ name: String, unit: String, kind: Kind) -> String {
        var tokens = words(name)
        let unitParts = unit.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map { $0.trimmingSpaces }
        if let main = unitParts.first, !main.isEmpty, !main.contains(where: { $0 == "{" || $0 == "}" }) {
            let word = words(units[main] ?? main).joined(separator: "_")
            if !word.isEmpty && !tokens.contains(word) { tokens.append(word) }
        }
        if unitParts.count > 1, !unitParts[1].isEmpty, !unitParts[1].contains(where: { $0 == "{" || $0 == "}" }) {
            let word = words(perUnits[unitParts[1]] ?? unitParts[1]).joined(separator: "_")
            if !word.isEmpty && !tokens.contains(word) { tokens += ["per", word] }
        }
        if kind == .counter { tokens = tokens.filter { $0 != "total" } + ["total"] }
        if kind == .gauge && unit == "1" { tokens = tokens.filter { $0 != "ratio" } + ["ratio"] }
        let joined = tokens.joined(separator: "_")
        if let first = joined.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) { return "_" + joined }
        return joined
    }

    /// A Prometheus label name for an attribute key: every character but ASCII letters, digits and `_` becomes
    /// `_`; `key_` goes in front of a leading digit and `key` in front of a single leading `_` (names starting
    /// `__` are Prometheus's own).
    public static func labelName(_ key: String) -> String {
        var bytes = Array(key.utf8).map { byte -> UInt8 in isWordByte(byte) || byte == UInt8(ascii: "_") ? byte : UInt8(ascii: "_") }
        // Non-ASCII characters are several bytes; one `_` per character, as Go's strings.Map does per rune.
        if !key.utf8.allSatisfy({ $0 < 0x80 }) {
            bytes = key.unicodeScalars.map { $0.isASCII && (isWordByte(UInt8($0.value)) || $0 == "_") ? UInt8($0.value) : UInt8(ascii: "_") }
        }
        var name = String(decoding: bytes, as: UTF8.self)
        guard let first = bytes.first else { return name }
        if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            name = "key_" + name
        } else if first == UInt8(ascii: "_") && !name.hasPrefix("__") {
            name = "key" + name
        }
        return name
    }

    /// The words of a name: runs of ASCII letters and digits.
    static func words(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: { !isWordByte($0) }).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// UCUM units and their Prometheus words (the translator's `unitMap`); `1` has none.
    static let units: [String: String] = [
        "d": "days", "h": "hours", "min": "minutes", "s": "seconds", "ms": "milliseconds", "us": "microseconds", "ns": "nanoseconds",
        "By": "bytes", "KiBy": "kibibytes", "MiBy": "mebibytes", "GiBy": "gibibytes", "TiBy": "tibibytes",
        "KBy": "kilobytes", "MBy": "megabytes", "GBy": "gigabytes", "TBy": "terabytes",
        "m": "meters", "V": "volts", "A": "amperes", "J": "joules", "W": "watts", "g": "grams",
        "Cel": "celsius", "Hz": "hertz", "1": "", "%": "percent",
    ]

    /// Units after `/` (the translator's `perUnitMap`).
    static let perUnits: [String: String] = [
        "s": "second", "m": "minute", "h": "hour", "d": "day", "w": "week", "mo": "month", "y": "year",
    ]
}

extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
