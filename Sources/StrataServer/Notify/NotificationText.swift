import Foundation

/// How notifications write times and numbers: RFC 3339 for JSON receivers, RFC 5322 for the email `Date`
/// header, and plain decimal numbers for people.
enum NotificationText {
    /// `2026-12-02T10:00:00.123Z` (UTC, milliseconds) for Unix milliseconds `ms`.
    static func rfc3339(ms: Int64) -> String {
        // Whole seconds from the formatter, milliseconds by integer arithmetic: through a Double,
        // …600.123 s becomes …600.12299 and would print as .122.
        let milliseconds = Int(ms - ms.floorDivided(by: 1000) * 1000)
        let fraction = String(milliseconds + 1000).dropFirst()   // 7 → "007"
        return "\(wholeSeconds(ms: ms).dropLast()).\(fraction)Z"
    }

    /// `2026-12-02T10:00:00Z` for the second that holds Unix milliseconds `ms`.
    private static func wholeSeconds(ms: Int64) -> String {
        Date(timeIntervalSince1970: Double(ms.floorDivided(by: 1000))).formatted(Date.ISO8601FormatStyle())
    }

    /// `Wed, 02 Dec 2026 10:00:00 +0000` (RFC 5322 §3.3, UTC) for Unix milliseconds `ms`.
    static func rfc5322(ms: Int64) -> String {
        let iso = wholeSeconds(ms: ms)
        let parts = Array(iso.utf8)
        guard parts.count >= 19 else { return iso }
        func text(_ range: Range<Int>) -> String { String(decoding: parts[range], as: UTF8.self) }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]   // 1970-01-01 was a Thursday
        let month = months[max(0, min(11, (Int(text(5..<7)) ?? 1) - 1))]
        let days = ms.floorDivided(by: 86_400_000)
        let weekday = weekdays[Int(((days % 7) + 7) % 7)]
        return "\(weekday), \(text(8..<10)) \(month) \(text(0..<4)) \(text(11..<19)) +0000"
    }

    /// A value as people read it: `97.5`, `42`, `NaN`, `+Inf`.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// `text` with control characters (CR, LF, tab …) replaced by spaces, so it fits on one header line.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 land on the right second and day.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
