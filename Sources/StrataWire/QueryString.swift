import Foundation
import StrataCore

/// A request's query string, decoded as HTML forms and `curl --data-urlencode` encode it (`+` is a space,
/// `%XX` a byte), with every numeric parameter parsed and bounded here, in one place: times, ranges, steps,
/// limits and ids. Nothing a client sends can reach arithmetic unchecked — a value outside its bounds is an
/// `Invalid` error (a 400) naming the parameter and what it should be. Free of the HTTP framework, so it is
/// fuzzed alone (`fuzz-query-parameters`).
public struct QueryString: Sendable {
    /// A parameter that is not what it should be; the description says what to send instead.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, for the client.
        public var description: String
    }

    /// The earliest time a parameter may name: 0001-01-01T00:00:00Z, in Unix ms.
    public static let earliestMs: Int64 = -62_135_596_800_000
    /// The latest time a parameter may name: 9999-12-31T23:59:59.999Z, in Unix ms.
    public static let latestMs: Int64 = 253_402_300_799_999
    /// The longest step: 366 days.
    public static let maxStepMs: Int64 = 366 * 86_400_000

    private var values: [String: [String]] = [:]

    /// The parameters of a raw (still percent-encoded) query string.
    public init(_ query: String) {
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            values[name, default: []].append(value)
        }
    }

    /// `+` as a space, then percent-decoding; a malformed escape is kept as it was written.
    public static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of `name`, if given.
    public subscript(_ name: String) -> String? { values[name]?.first }

    /// Every value of `name`, in order (`match[]=a&match[]=b`).
    public func all(_ name: String) -> [String] { values[name] ?? [] }

    /// A whole number within `range`; the error says what it should have been.
    public func integer(_ name: String, in range: ClosedRange<Int64>, meaning: String) throws(Invalid) -> Int64? {
        guard let text = self[name] else { return nil }
        guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw Invalid(description: "\(name) must be \(meaning), from \(range.lowerBound) to \(range.upperBound); got \"\(text.prefix(40))\"")
        }
        return value
    }

    /// A time in Unix milliseconds between the years 1 and 9999; with `nowMs`, also `now`, a duration before now
    /// (`10m`, `-10m`, `now-10m`) or an RFC 3339 time (`2026-12-02T10:00:00Z`).
    public func time(_ name: String, nowMs: Int64? = nil) throws(Invalid) -> Int64? {
        guard let text = self[name] else { return nil }
        if let nowMs, Int64(text.trimmingCharacters(in: .whitespaces)) == nil {
            guard let value = Self.relativeTime(text, nowMs: nowMs), (Self.earliestMs...Self.latestMs).contains(value) else {
                throw Invalid(description: "\(name) must be Unix time in milliseconds, now, a duration before now (10m, -10m, now-10m) or an RFC 3339 time; got \"\(text.prefix(40))\"")
            }
            return value
        }
        return try integer(name, in: Self.earliestMs...Self.latestMs, meaning: "Unix time in milliseconds (or now, 10m, -10m, now-10m, an RFC 3339 time)")
    }

    /// `now`, `10m`/`-10m`/`now-10m` before `nowMs`, or an RFC 3339 time, in Unix ms; nil for anything else.
    static func relativeTime(_ text: String, nowMs: Int64) -> Int64? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest == "now" { return nowMs }
        if rest.hasPrefix("now-") { rest = rest.dropFirst(4) } else if rest.hasPrefix("-") { rest = rest.dropFirst() }
        if let ago = DurationText.milliseconds(String(rest)) {
            let (value, overflow) = nowMs.subtractingReportingOverflow(ago)
            return overflow ? nil : value
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = formatter.date(from: text) ?? { formatter.formatOptions = [.withInternetDateTime]; return formatter.date(from: text) }()
        guard let seconds = date?.timeIntervalSince1970, seconds.isFinite, abs(seconds) < 3e11 else { return nil }
        return Int64((seconds * 1000).rounded())
    }

    /// An id (a positive whole number).
    public func id(_ name: String, meaning: String) throws(Invalid) -> Int64? {
        try integer(name, in: 0...Int64.max, meaning: meaning)
    }

    /// The `limit` parameter, 1 to `maximum`, or `defaultValue`.
    public func limit(default defaultValue: Int, maximum: Int = 10_000) throws(Invalid) -> Int {
        guard let value = try integer("limit", in: 1...Int64(maximum), meaning: "the most rows to return") else { return defaultValue }
        return Int(value)
    }

    /// `from`..`to` in Unix ms (or as `time(_:nowMs:)` reads them): `to` defaults to `nowMs`, `from` to `defaultSpanMs` before `to`; `from` may
    /// not be after `to`.
    public func window(defaultSpanMs: Int64, nowMs: Int64) throws(Invalid) -> (from: Int64, to: Int64) {
        let to = try time("to", nowMs: nowMs) ?? min(max(nowMs, Self.earliestMs), Self.latestMs)
        let from = try time("from", nowMs: nowMs) ?? max(Self.earliestMs, to - min(max(0, defaultSpanMs), Self.latestMs))
        guard from <= to else { throw Invalid(description: "from (\(from)) is after to (\(to))") }
        return (from, to)
    }

    /// The step named `name`: seconds (`30`, `0.5`) or a duration (`30s`, `5m`), 1 ms to 366 days.
    public func step(_ name: String = "step") throws(Invalid) -> Int64? {
        guard let text = self[name] else { return nil }
        guard let milliseconds = Self.duration(text), (1...Self.maxStepMs).contains(milliseconds) else {
            throw Invalid(description: "\(name) \"\(text.prefix(40))\" is not a positive number of seconds or a duration like 30s, at most 366 days")
        }
        return milliseconds
    }

    /// Milliseconds of `text` as seconds (a decimal number) or a duration, nil when it is neither or is out of
    /// the Int64 range. No conversion can trap: the double is range-checked before it becomes an integer.
    public static func duration(_ text: String) -> Int64? {
        if let seconds = Double(text) {
            let milliseconds = (seconds * 1000).rounded(.down)
            guard milliseconds.isFinite, milliseconds >= 1, milliseconds <= Double(maxStepMs) else { return nil }
            return Int64(milliseconds)
        }
        return DurationText.milliseconds(text)
    }
}
