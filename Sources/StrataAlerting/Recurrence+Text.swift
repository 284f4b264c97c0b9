import StrataCore

/// A recurrence that cannot be used, naming the field and what is wrong with it.
public struct RecurrenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field's path, e.g. `recurrence.start`.
    public var field: String
    /// What is wrong.
    public var message: String

    /// `recurrence.start must be HH:MM …`.
    public var description: String { "\(field) \(message)" }
}

extension Recurrence {
    /// Reads a recurrence as the API and the CLI write it: `days` (`mon` … `sun`; nil for every day), `start`
    /// (`HH:MM`, local), `duration` (`2h`, at most 7d) and `timezone` (`UTC`, the default, or a fixed offset `±HH:MM`).
    public static func parse(days: [String]?, start: String, duration: String, timezone: String?) throws(RecurrenceError) -> Recurrence {
        var weekdays = Weekday.allCases
        if let days {
            guard !days.isEmpty else {
                throw RecurrenceError(field: "recurrence.days", message: "must name at least one day (leave it out for every day)")
            }
            weekdays = []
            for name in days {
                guard let day = Weekday(rawValue: name.lowercased()) else {
                    throw RecurrenceError(field: "recurrence.days", message: "must be mon, tue, wed, thu, fri, sat or sun, not \"\(name)\"")
                }
                weekdays.append(day)
            }
        }
        guard let minute = clockMinutes(start), minute < 24 * 60 else {
            throw RecurrenceError(field: "recurrence.start", message: "must be HH:MM between 00:00 and 23:59, not \"\(start)\"")
        }
        guard let durationMs = DurationText.milliseconds(duration), durationMs <= maxDurationMs else {
            throw RecurrenceError(field: "recurrence.duration", message: "must be a duration such as 30m or 2h, at most 7d, not \"\(duration)\"")
        }
        guard let offset = offsetMinutes(timezone ?? "UTC") else {
            throw RecurrenceError(field: "recurrence.timezone",
                                  message: "must be UTC or a fixed offset from -12:00 to +14:00 such as +01:00, not \"\(timezone ?? "")\"")
        }
        return Recurrence(days: weekdays, startMinute: minute, durationMs: durationMs, utcOffsetMinutes: offset)
    }

    /// The start as `HH:MM`.
    public var startText: String { Self.clockText(startMinute) }

    /// The offset as `UTC` or `±HH:MM`.
    public var timezoneText: String {
        utcOffsetMinutes == 0 ? "UTC" : (utcOffsetMinutes < 0 ? "-" : "+") + Self.clockText(abs(utcOffsetMinutes))
    }

    /// `H:MM` or `HH:MM` as minutes (hours not bounded here), nil for anything else.
    static func clockMinutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hours = Int(parts[0]), let minutes = Int(parts[1]), minutes < 60 else { return nil }
        return hours * 60 + minutes
    }

    static func offsetMinutes(_ text: String) -> Int? {
        if text == "UTC" || text == "Z" { return 0 }
        guard let sign = text.first, sign == "+" || sign == "-", let minutes = clockMinutes(String(text.dropFirst())),
              text.count == 6 else { return nil }
        let offset = sign == "-" ? -minutes : minutes
        return (-12 * 60...maxOffsetMinutes).contains(offset) ? offset : nil
    }

    static func clockText(_ minutes: Int) -> String {
        let hours = minutes / 60, rest = minutes % 60
        return (hours < 10 ? "0" : "") + "\(hours):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
