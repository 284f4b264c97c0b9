/// A cron expression: five fields (minute, hour, day of month, month, day of week) as crontab(5) reads them —
/// `*`, numbers (ASCII digits, no sign), ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`, month and day names (`jan`, `mon`), Sunday as 0
/// or 7 — or one of `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`), `@hourly`. When both
/// day fields are restricted, a day matching either runs (as cron does). At most `maxLength` characters.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The text it was read from.
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday.
    let weekdays: Set<Int>
    let dayOfMonthRestricted: Bool
    let weekdayRestricted: Bool
    /// Whether the hour field is `*` (runs every hour): such schedules follow real hours across daylight-saving
    /// changes; schedules at fixed hours follow the wall clock (see `CronSchedule`).
    let everyHour: Bool

    /// The longest expression read, in bytes (crontab lines are short; this bounds the work a request can ask for).
    public static let maxLength = 256

    /// The expression, or an error naming the field that is wrong.
    public init(_ text: String) throws(CronError) {
        guard text.utf8.count <= Self.maxLength else {
            throw CronError(field: "expression", "at most \(Self.maxLength) characters, not \(text.utf8.count)")
        }
        let trimmed = text.trimmingSpaces
        let expanded = Self.macros[trimmed.lowercased()] ?? trimmed
        if trimmed.hasPrefix("@") && Self.macros[trimmed.lowercased()] == nil {
            throw CronError(field: "expression", "unknown macro \(trimmed); use @yearly, @monthly, @weekly, @daily or @hourly")
        }
        let fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else {
            throw CronError(field: "expression", "a cron expression has 5 fields (minute hour day-of-month month day-of-week), not \(fields.count)")
        }
        description = trimmed
        minutes = try Self.field(fields[0], "minute", 0...59)
        hours = try Self.field(fields[1], "hour", 0...23)
        daysOfMonth = try Self.field(fields[2], "day of month", 1...31)
        months = try Self.field(fields[3], "month", 1...12, names: Self.monthNames)
        weekdays = Set(try Self.field(fields[4], "day of week", 0...7, names: Self.dayNames).map { $0 % 7 })
        dayOfMonthRestricted = !fields[2].hasPrefix("*")
        weekdayRestricted = !fields[4].hasPrefix("*")
        everyHour = fields[1] == "*"
        if dayOfMonthRestricted && !weekdayRestricted, !daysOfMonth.contains(where: { day in months.contains { Self.longest[$0 - 1] >= day } }) {
            throw CronError(field: "day of month", "no month of \(fields[3]) has day \(daysOfMonth.sorted().map(String.init).joined(separator: ","))")
        }
    }

    /// Whether a day (month 1…12, day 1…31, weekday 0 = Sunday) is one the expression runs on.
    func matches(month: Int, day: Int, weekday: Int) -> Bool {
        guard months.contains(month) else { return false }
        switch (dayOfMonthRestricted, weekdayRestricted) {
        case (true, true): return daysOfMonth.contains(day) || weekdays.contains(weekday)
        case (true, false): return daysOfMonth.contains(day)
        case (false, true): return weekdays.contains(weekday)
        case (false, false): return true
        }
    }

    static let macros = ["@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
                         "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"]
    static let monthNames = ["jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12]
    static let dayNames = ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
    /// The most days each month can have.
    static let longest = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]

    /// The values one field stands for.
    static func field(_ text: String, _ name: String, _ range: ClosedRange<Int>, names: [String: Int] = [:]) throws(CronError) -> Set<Int> {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard pieces.count <= 2, !part.isEmpty else { throw CronError(field: name, "\"\(part)\" is not a value, range or step") }
            var step = 1
            if pieces.count == 2 {
                guard let parsed = number(pieces[1]), parsed >= 1, parsed <= range.upperBound + 1 else {
                    throw CronError(field: name, "step \"\(pieces[1])\" must be a number from 1 to \(range.upperBound + 1)")
                }
                step = parsed
            }
            var low = range.lowerBound, high = range.upperBound
            if pieces[0] != "*" {
                let bounds = pieces[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2 else { throw CronError(field: name, "\"\(pieces[0])\" is not a value or range") }
                low = try value(bounds[0], name, range, names)
                high = bounds.count == 2 ? try value(bounds[1], name, range, names) : (pieces.count == 2 ? range.upperBound : low)
                guard low <= high else { throw CronError(field: name, "range \(pieces[0]) runs backwards") }
            }
            for value in stride(from: low, through: high, by: step) { values.insert(value) }
        }
        return values
    }

    static func value(_ text: String, _ name: String, _ range: ClosedRange<Int>, _ names: [String: Int]) throws(CronError) -> Int {
        if let named = names[text.lowercased()] { return named }
        guard let number = number(text), range.contains(number) else {
            let allowed = names.isEmpty ? "" : " or a name (\(names.keys.sorted().joined(separator: ", ")))"
            throw CronError(field: name, "\"\(text)\" must be a number from \(range.lowerBound) to \(range.upperBound)\(allowed)")
        }
        return number
    }
}

extension CronExpression {
    /// A number as crontab writes it: ASCII digits only (`Int(_:)` would also take `+5`), at most four of them.
    static func number(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 4, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(text)
    }
}

/// A cron expression or time zone that cannot be used, naming the field.
public struct CronError: Error, Equatable, CustomStringConvertible {
    public let field: String
    public let message: String

    init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" || first == "\n" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
