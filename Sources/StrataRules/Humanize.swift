import Foundation
import StrataPromQL

/// Prometheus's `humanize*` template functions and the `printf` verbs templates use.
enum Humanize {
    /// Go's `%.4g`.
    static func g4(_ value: Double) -> String { GoFormat.g(value, precision: 4) }

    /// `humanize`: SI prefixes, 4 significant digits (`1.235k`, `12.5m`).
    static func metric(_ value: Double) -> String {
        if value == 0 || value.isNaN || value.isInfinite { return g4(value) }
        var v = value
        var prefix = ""
        if abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] where abs(v) >= 1000 {
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 {
                prefix = p
                v *= 1000
            }
        }
        return g4(v) + prefix
    }

    /// `humanize1024`: binary prefixes (`1Ki`, `1.5Mi`).
    static func binary(_ value: Double) -> String {
        if abs(value) <= 1 || value.isNaN || value.isInfinite { return g4(value) }
        var v = value
        var prefix = ""
        for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] where abs(v) >= 1024 {
            prefix = p
            v /= 1024
        }
        return g4(v) + prefix
    }

    /// `humanizeDuration`: `1d 2h 3m 4s`, `1.5s`, `250ms`.
    static func duration(_ value: Double) -> String {
        if value.isNaN || value.isInfinite { return g4(value) }
        if value == 0 { return g4(value) + "s" }
        if abs(value) >= 1 {
            let sign = value < 0 ? "-" : ""
            let magnitude = abs(value)
            let total = magnitude < 9.2e18 ? Int64(magnitude) : Int64.max
            let seconds = total % 60, minutes = total / 60 % 60, hours = total / 3600 % 24, days = total / 86_400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g4(magnitude) + "s"
        }
        var v = value
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] where abs(v) < 1 {
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// `humanizeTimestamp`: Go's `time.Time.String()` in UTC of the millisecond Prometheus's `model.Time` keeps
    /// (`2026-12-03 08:00:00.5 +0000 UTC`).
    static func timestamp(_ seconds: Double) -> String {
        let nanos = seconds * 1e9
        if nanos.isNaN || abs(nanos) >= 9.2e18 { return g4(seconds) }
        let ms = Int64(nanos) / 1_000_000
        let (whole, fraction) = (ms >= 0 || ms % 1000 == 0) ? (ms / 1000, ms % 1000) : (ms / 1000 - 1, 1000 + ms % 1000)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        var out = formatter.string(from: Date(timeIntervalSince1970: Double(whole)))
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 3 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            out += "." + digits
        }
        return out + " +0000 UTC"
    }
}

/// Go's `fmt` verbs as far as templates use them.
enum GoFormat {
    /// `%.<precision>g`, Go's spelling of NaN and infinities.
    static func g(_ value: Double, precision: Int) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return String(format: "%.\(max(1, min(precision, 30)))g", value)
    }

    /// `fmt.Sprintf(format, arguments…)` for `%s %v %d %f %g %e %q %x %%` with width and precision.
    static func printf(_ format: String, _ arguments: [TemplateValue]) -> String {
        var out = ""
        var next = 0
        var characters = format[...]
        while let character = characters.popFirst() {
            guard character == "%" else { out.append(character); continue }
            var spec = ""
            while let c = characters.first, "+-# 0123456789.".contains(c) { spec.append(c); characters.removeFirst() }
            guard let verb = characters.popFirst() else { out += "%!(NOVERB)"; break }
            if verb == "%" { out += "%"; continue }
            guard next < arguments.count else { out += "%!\(verb)(MISSING)"; continue }
            let argument = arguments[next]
            next += 1
            out += one(verb, spec, argument)
        }
        if next < arguments.count { out += "%!(EXTRA " + arguments[next...].map(\.text).joined(separator: ", ") + ")" }
        return out
    }

    static func one(_ verb: Character, _ spec: String, _ argument: TemplateValue) -> String {
        switch (verb, argument) {
        case ("f", .number(let v)), ("F", .number(let v)), ("e", .number(let v)), ("g", .number(let v)):
            if v.isNaN { return "NaN" }
            if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
            if verb == "g", !spec.contains(".") { return PromFloatText.shortest(v) }
            return String(format: "%" + spec + String(verb), v)
        case ("d", .number(let v)):
            guard v == v.rounded(), abs(v) < 9.2e18 else { return "%!d(float64=\(PromFloatText.shortest(v)))" }
            return String(format: "%" + spec + "lld", Int64(v))
        case ("x", .number(let v)) where v == v.rounded() && abs(v) < 9.2e18:
            return String(format: "%" + spec + "llx", Int64(v))
        case ("q", _):
            return PromQuoted.quote(argument.text)
        case ("v", .number(let v)), ("s", .number(let v)):
            return pad(PromFloatText.shortest(v), spec)
        default:
            return pad(argument.text, spec)
        }
    }

    static func pad(_ text: String, _ spec: String) -> String {
        let left = spec.hasPrefix("-")
        let digits = spec.filter { $0.isNumber || $0 == "." }.split(separator: ".", omittingEmptySubsequences: false)
        var text = text
        if digits.count > 1, let precision = Int(digits[1]) { text = String(text.prefix(precision)) }
        guard let width = digits.first.flatMap({ Int($0) }), width > text.count else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return left ? text + padding : padding + text
    }
}
