/// A day of the week, as recurring silences name them.
public enum Weekday: String, Sendable, Codable, CaseIterable, Comparable {
    case mon, tue, wed, thu, fri, sat, sun

    /// The weekday of the day `day` days after 1970-01-01 (a Thursday); any day number, negative ones included.
    public static func of(daysSinceEpoch day: Int64) -> Weekday {
        let index = ((day % 7) + 7 + 3) % 7
        return allCases[Int(index)]
    }

    public static func < (lhs: Weekday, rhs: Weekday) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// When a recurring silence (a maintenance window) is in force: on each of `days`, from `startMinute` after local
/// midnight for `durationMs`, local time being UTC shifted by a fixed `utcOffsetMinutes` (no time-zone database, so
/// no daylight saving: a window at 02:00 `+01:00` is at 01:00 UTC all year).
///
/// A window belongs to the day it starts on: `sat` at 23:00 for 3h covers Saturday 23:00 to Sunday 02:00. Windows
/// last at most 7 days, so a time is covered by a window that started on it day or one of the 7 days before.
/// The silence's `startsMs`/`endsMs` bound the whole series.
public struct Recurrence: Sendable, Equatable, Codable {
    /// A day, ms.
    public static let dayMs: Int64 = 86_400_000
    /// The longest window.
    public static let maxDurationMs: Int64 = 7 * dayMs
    /// The largest offset from UTC either way, minutes (time zones run from −12:00 to +14:00).
    public static let maxOffsetMinutes = 14 * 60

    /// The days windows start on, in week order, without repeats.
    public private(set) var days: [Weekday]
    /// Minutes after local midnight each window starts, 0..<1440.
    public private(set) var startMinute: Int
    /// How long each window lasts, ms, 1...`maxDurationMs`.
    public private(set) var durationMs: Int64
    /// Local time minus UTC, minutes, within ±`maxOffsetMinutes`.
    public private(set) var utcOffsetMinutes: Int

    /// A recurrence; values out of range are clamped (the API refuses them, naming the field).
    public init(days: [Weekday] = Weekday.allCases, startMinute: Int, durationMs: Int64, utcOffsetMinutes: Int = 0) {
        self.days = Set(days).sorted()
        self.startMinute = min(max(0, startMinute), 1_439)
        self.durationMs = min(max(1, durationMs), Self.maxDurationMs)
        self.utcOffsetMinutes = min(max(-Self.maxOffsetMinutes, utcOffsetMinutes), Self.maxOffsetMinutes)
    }

    /// Whether one of the windows covers `atMs` (a window covers its start, not its end). Overflow-safe: only the
    /// local time is computed from `atMs`; the rest stays within a few days.
    public func covers(atMs: Int64) -> Bool {
        let (local, overflow) = atMs.addingReportingOverflow(Int64(utcOffsetMinutes) * 60_000)
        guard !overflow else { return false }
        let remainder = local % Self.dayMs
        let intoDay = remainder < 0 ? remainder + Self.dayMs : remainder
        let day = local / Self.dayMs - (remainder < 0 ? 1 : 0)
        let startMs = Int64(startMinute) * 60_000
        for back in Int64(0)...7 {
            // How long ago the window of the day `back` days before today began.
            let sinceStart = back * Self.dayMs + intoDay - startMs
            guard sinceStart >= 0, sinceStart < durationMs else { continue }
            if days.contains(Weekday.of(daysSinceEpoch: day - back)) { return true }
        }
        return false
    }
}
