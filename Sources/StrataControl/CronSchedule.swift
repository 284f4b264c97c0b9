/// A time zone's offset from UTC at any instant (the server passes the tz database's; tests may pass their own).
public protocol ZoneOffsets: Sendable {
    /// Local time minus UTC at `atMs` (Unix ms), seconds.
    func secondsFromUTC(atMs: Int64) -> Int
}

/// A fixed offset from UTC, e.g. for `UTC` itself.
public struct FixedOffset: ZoneOffsets {
    public let seconds: Int
    public init(seconds: Int) { self.seconds = seconds }
    public func secondsFromUTC(atMs: Int64) -> Int { seconds }
}

/// When a cron expression runs in a time zone, as cron does across daylight-saving changes:
/// - a schedule at fixed hours runs once per matching wall-clock time: a time skipped when clocks go forward runs at
///   the change (02:30 on a spring-forward night runs at 03:00 new time), a time that happens twice when clocks go
///   back runs the first time only;
/// - a schedule whose hour is `*` runs every real hour: minutes in the skipped hour do not exist, minutes of the
///   repeated hour run in both passes.
public struct CronSchedule: Sendable {
    public let expression: CronExpression
    public let zone: any ZoneOffsets
    /// How far ahead `next` looks (a `0 0 29 2 1` schedule can wait years).
    static let horizonDays: Int64 = 366 * 28

    public init(_ expression: CronExpression, zone: any ZoneOffsets) {
        self.expression = expression
        self.zone = zone
    }

    /// The first run strictly after `afterMs` (Unix ms), or nil when none falls within the horizon or the clock is out
    /// of range.
    public func next(afterMs: Int64) -> Int64? {
        guard afterMs > -Self.limitMs, afterMs < Self.limitMs else { return nil }
        // Wall-clock candidates from an hour before the local time of `afterMs` (the same wall time can come twice).
        let startLocal = afterMs + Int64(zone.secondsFromUTC(atMs: afterMs)) * 1_000 - 3_600_000
        let firstDay = Civil.floorDiv(startLocal, Civil.dayMs)
        // Walls come in order but instants need not (a repeated hour's first pass comes after its second's wall
        // times): the earliest instant wins; a wall more than `maxShiftMs` after the best one's cannot beat it.
        var best: (instant: Int64, wall: Int64)?
        for day in firstDay...(firstDay + Self.horizonDays) {
            if let best, day * Civil.dayMs > best.wall + Self.maxShiftMs { break }
            let date = Civil.date(daysSinceEpoch: day)
            guard expression.matches(month: date.month, day: date.day, weekday: Civil.weekday(daysSinceEpoch: day)) else { continue }
            for hour in expression.hours.sorted() {
                for minute in expression.minutes.sorted() {
                    let wall = day * Civil.dayMs + Int64(hour * 60 + minute) * 60_000
                    if wall < startLocal { continue }
                    if let best, wall > best.wall + Self.maxShiftMs { return best.instant }
                    if let run = instants(ofWall: wall).first(where: { $0 > afterMs }), run < best?.instant ?? .max { best = (run, wall) }
                }
            }
        }
        return best?.instant
    }

    /// The largest change of a zone's offset at once that `next` allows for.
    static let maxShiftMs: Int64 = 3 * 3_600_000

    /// The next `count` runs after `afterMs`.
    public func next(_ count: Int, afterMs: Int64) -> [Int64] {
        var runs: [Int64] = []
        var from = afterMs
        while runs.count < count, let run = next(afterMs: from) {
            runs.append(run)
            from = run
        }
        return runs
    }

    /// The instants a wall-clock time `wall` (local ms since the epoch) runs at, earliest first.
    func instants(ofWall wall: Int64) -> [Int64] {
        let before = Int64(zone.secondsFromUTC(atMs: wall - Civil.dayMs)) * 1_000
        let after = Int64(zone.secondsFromUTC(atMs: wall + Civil.dayMs)) * 1_000
        var valid: [Int64] = []
        for offset in Set([before, after]) {
            let utc = wall - offset
            if Int64(zone.secondsFromUTC(atMs: utc)) * 1_000 == offset { valid.append(utc) }
        }
        valid.sort()
        if valid.isEmpty {
            // Skipped when clocks went forward: fixed-hour schedules run at the change, every-hour ones not at all.
            return expression.everyHour ? [] : [transition(from: wall - before, to: wall - after)]
        }
        return expression.everyHour ? valid : [valid[0]]
    }

    /// The first instant within `low...high` (UTC ms) whose offset differs from `low`'s: the change of offset.
    func transition(from low: Int64, to high: Int64) -> Int64 {
        var (low, high) = (min(low, high), max(low, high))
        let lowOffset = zone.secondsFromUTC(atMs: low)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if zone.secondsFromUTC(atMs: middle) == lowOffset { low = middle } else { high = middle }
        }
        return high
    }

    /// Instants beyond about ±100,000 years are refused (no arithmetic may overflow).
    static let limitMs: Int64 = 3_000_000_000_000_000
}

/// Proleptic Gregorian dates from day numbers (days since 1970-01-01), without a calendar library.
enum Civil {
    static let dayMs: Int64 = 86_400_000

    static func floorDiv(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// 0 = Sunday … 6 = Saturday (1970-01-01 was a Thursday).
    static func weekday(daysSinceEpoch day: Int64) -> Int {
        Int(((day % 7) + 7 + 4) % 7)
    }

    /// Year, month 1…12 and day 1…31 of a day number (H. Hinnant's civil_from_days).
    static func date(daysSinceEpoch day: Int64) -> (year: Int64, month: Int, day: Int) {
        let z = day + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), Int(month), Int(dayOfMonth))
    }
}
