import Foundation
import StrataCore

/// The parameters of a Prometheus HTTP API request (`/prometheus/api/v1/…`), read as Prometheus 2.42 reads them:
/// times are Unix seconds with a fraction or RFC 3339, durations are seconds with a fraction or a Prometheus duration
/// (`1h30m`, `5m`, `1w`, `1y`), and a bad value is an error worded as Prometheus words it (`invalid parameter "start":
/// cannot parse "x" to a valid timestamp`). Every number is bounded before it becomes an integer.
public struct PrometheusParameters: Sendable {
    /// A parameter Prometheus would refuse, with Prometheus's message.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// The message, as Prometheus gives it.
        public var description: String
    }

    /// The decoded parameters (the URL's query string and, for a form POST, its body).
    public let values: QueryString

    /// Parameters from a query string and an optional `application/x-www-form-urlencoded` body (both are read, the
    /// URL's first, as Go's `Request.ParseForm` does).
    public init(query: String, form: String? = nil) {
        values = QueryString([query, form ?? ""].filter { !$0.isEmpty }.joined(separator: "&"))
    }

    /// The first value of `name`.
    public subscript(_ name: String) -> String? { values[name] }

    /// Every value of `name` in order (`match[]`).
    public func all(_ name: String) -> [String] { values.all(name) }

    /// The time parameter `name` in Unix ms, or `defaultMs` when it is absent or empty.
    public func time(_ name: String, default defaultMs: Int64) throws(Invalid) -> Int64 {
        guard let text = values[name], !text.isEmpty else { return defaultMs }
        guard let ms = Self.timeMs(text) else {
            throw Invalid(description: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid timestamp")
        }
        return ms
    }

    /// The duration parameter `name` in ms, nil when absent or empty.
    public func duration(_ name: String) throws(Invalid) -> Int64? {
        guard let text = values[name], !text.isEmpty else { return nil }
        if let seconds = Double(text) {
            let ms = seconds * 1000
            guard ms.isFinite, abs(ms) < 9.2e15 else {
                throw Invalid(description: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration. It overflows int64")
            }
            return Int64(ms.rounded(.towardZero))
        }
        guard let ms = Self.durationMs(text) else {
            throw Invalid(description: "invalid parameter \"\(name)\": cannot parse \"\(text)\" to a valid duration")
        }
        return ms
    }

    /// The `limit` parameter: nil when absent, empty or 0 (no limit); a negative or non-integer one is refused.
    public func limit() throws(Invalid) -> Int? {
        guard let text = values["limit"], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= 0 else { throw Invalid(description: "invalid parameter \"limit\": cannot parse \"\(text)\" to a valid limit") }
        return value == 0 ? nil : value
    }

    /// The earliest and latest times a request may name (Strata's bounds: years 1 to 9999), in Unix ms; Prometheus's
    /// own "minimum" and "maximum" times (what Grafana sends for an unbounded range) fall outside and are clamped.
    public static let earliestMs = QueryString.earliestMs
    public static let latestMs = QueryString.latestMs

    /// Unix ms of `text`: seconds with an optional fraction (rounded to the millisecond, as Prometheus does), or an
    /// RFC 3339 time; clamped to `earliestMs...latestMs`. Nil when it is neither.
    public static func timeMs(_ text: String) -> Int64? {
        if let seconds = Double(text), !seconds.isNaN {
            let ms = (seconds * 1000).rounded()
            if ms <= Double(earliestMs) { return earliestMs }
            if ms >= Double(latestMs) { return latestMs }
            return Int64(ms)
        }
        return rfc3339Ms(text)
    }

    /// Unix ms of an RFC 3339 time with or without fractional seconds.
    static func rfc3339Ms(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = formatter.date(from: text) ?? { formatter.formatOptions = [.withInternetDateTime]; return formatter.date(from: text) }() else {
            return nil
        }
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms.isFinite else { return nil }
        return Int64(min(max(ms, Double(earliestMs)), Double(latestMs)))
    }

    /// Milliseconds of a Prometheus duration: units `y` (365 d), `w`, `d`, `h`, `m`, `s`, `ms`, each at most once and
    /// from the largest to the smallest (`1h30m`; not `30m1h`), as Prometheus's `model.ParseDuration`. Nil for
    /// anything else or past Int64.
    public static func durationMs(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("y", 31_536_000_000), ("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
                                        ("s", 1000), ("ms", 1)]
        let scalars = Array(text.utf8)
        guard !scalars.isEmpty else { return nil }
        if text == "0" { return 0 }
        var index = 0
        var next = 0  // the first unit still allowed
        var total: Int64 = 0
        while index < scalars.count {
            var number: Int64 = 0
            let start = index
            while index < scalars.count, scalars[index] >= 48, scalars[index] <= 57 {
                let (times, overflow) = number.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int64(scalars[index] - 48))
                guard !overflow, !overflow2 else { return nil }
                number = sum
                index += 1
            }
            guard index > start else { return nil }
            let unitStart = index
            while index < scalars.count, scalars[index] >= 97, scalars[index] <= 122 { index += 1 }
            let unit = String(decoding: scalars[unitStart..<index], as: UTF8.self)
            guard let position = units.firstIndex(where: { $0.0 == unit }), position >= next else { return nil }
            next = position + 1
            let (product, overflow) = number.multipliedReportingOverflow(by: units[position].1)
            let (sum, overflow2) = total.addingReportingOverflow(product)
            guard !overflow, !overflow2 else { return nil }
            total = sum
        }
        return total
    }
}
