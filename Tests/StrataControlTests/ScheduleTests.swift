import Foundation
import Testing
@testable import StrataControl

/// Cron schedules in real time zones: parsing with errors naming the field, next runs across daylight-saving changes
/// (checked against a fake clock walked minute by minute), and group runs' concurrency and stop-on-failure.
@Suite struct ScheduleTests {
    struct Zone: ZoneOffsets {
        let zone: TimeZone
        init(_ identifier: String) { zone = TimeZone(identifier: identifier)! }
        func secondsFromUTC(atMs: Int64) -> Int { zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(atMs) / 1_000)) }
    }

    static func ms(_ iso: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: iso)!.timeIntervalSince1970 * 1_000)
    }

    static func iso(_ ms: Int64) -> String {
        ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(ms) / 1_000))
    }

    func runs(_ cron: String, _ zone: String, after: String, _ count: Int) throws -> [String] {
        try CronSchedule(CronExpression(cron), zone: Zone(zone)).next(count, afterMs: Self.ms(after)).map(Self.iso)
    }

    @Test func badExpressionsNameTheirField() {
        let cases = ["61 * * * *": "minute", "* 24 * * *": "hour", "* * 0 * *": "day of month", "* * * 13 *": "month", "* * * * 8": "day of week",
                     "*/0 * * * *": "minute", "5-1 * * * *": "minute", "* * * *": "expression", "@sometimes": "expression",
                     "0 0 31 2 *": "day of month", "a * * * *": "minute", "1,,2 * * * *": "minute", "* * * foo *": "month"]
        for (text, field) in cases {
            #expect(throws: CronError.self, "\(text)") { try CronExpression(text) }
            do { _ = try CronExpression(text) } catch { #expect(error.field == field, "\(text): \(error)") }
        }
        #expect((try? CronExpression("0 9 * jan-mar mon-fri")) != nil)
        #expect((try? CronExpression("@daily"))?.description == "@daily")
    }

    /// Defect: numbers were read with `Int(_:)`, which takes a sign (`+5`), and an expression could be any length.
    @Test func numbersArePlainDigitsAndAnExpressionHasAtMost256Characters() {
        let cases = ["+5 * * * *": "minute", "*/+5 * * * *": "minute", "1-+5 * * * *": "minute", "* +3 * * *": "hour", "* * * * -0": "day of week",
                     "0 0 1 +1 *": "month", "* * * * 1/+2": "day of week", "\u{0661} * * * *": "minute",
                     String(repeating: "0,", count: 200) + "0 * * * *": "expression"]
        for (text, field) in cases {
            do {
                _ = try CronExpression(text)
                Issue.record("\(text.prefix(40)) was accepted")
            } catch {
                #expect(error.field == field, "\(text.prefix(40)): \(error)")
            }
        }
        let long = (try? CronExpression(String(repeating: " ", count: 300) + "0 3 * * *")) == nil
        #expect(long, "the length counts before trimming")
        #expect(throws: CronError.self) { try CronExpression(String(repeating: "0,", count: 200) + "0 * * * *") }
        do { _ = try CronExpression(String(repeating: "1,", count: 200) + "1 * * * *") } catch {
            #expect(error.message.contains("at most 256 characters"), "\(error)")
        }
        #expect((try? CronExpression("05 03 * * *")) != nil, "leading zeros are digits too")
    }

    @Test func aFixedTimeSkippedBySpringForwardRunsAtTheChangeAndARepeatedOneRunsOnce() throws {
        // New York, 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00Z). 2026-11-01: 02:00 EDT becomes 01:00 EST (06:00Z).
        #expect(try runs("30 2 * * *", "America/New_York", after: "2026-03-06T12:00:00Z", 3)
                == ["2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        #expect(try runs("30 1 * * *", "America/New_York", after: "2026-10-31T12:00:00Z", 3)
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"])
        // Berlin, 2026-03-29 02:00 CET → 03:00 CEST: weekdays at 09:00 local keep their wall-clock time.
        #expect(try runs("0 9 * * mon-fri", "Europe/Berlin", after: "2026-03-27T00:00:00Z", 2) == ["2026-03-27T08:00:00Z", "2026-03-30T07:00:00Z"])
    }

    @Test func anEveryHourScheduleFollowsRealHoursAcrossBothChanges() throws {
        #expect(try runs("*/30 * * * *", "America/New_York", after: "2026-03-08T06:00:00Z", 3)
                == ["2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"])
        #expect(try runs("0 * * * *", "America/New_York", after: "2026-11-01T04:30:00Z", 4)
                == ["2026-11-01T05:00:00Z", "2026-11-01T06:00:00Z", "2026-11-01T07:00:00Z", "2026-11-01T08:00:00Z"])
    }

    @Test func dayFieldsCombineAsCronDoesAndRareDaysAreFound() throws {
        // The 13th (a Friday in February 2026) or any Monday.
        #expect(try runs("0 0 13 * 1", "UTC", after: "2026-02-01T00:00:00Z", 4)
                == ["2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-13T00:00:00Z", "2026-02-16T00:00:00Z"])
        #expect(try runs("0 12 29 2 *", "UTC", after: "2026-03-01T00:00:00Z", 1) == ["2028-02-29T12:00:00Z"])
        #expect(try runs("@weekly", "Asia/Kolkata", after: "2026-12-02T00:00:00Z", 1) == ["2026-12-05T18:30:00Z"])
        #expect(CronSchedule(try CronExpression("* * * * *"), zone: FixedOffset(seconds: 0)).next(afterMs: .max) == nil, "no overflow at the end of time")
    }

    /// A fake clock walked minute by minute through daylight-saving days: the schedule runs exactly at the minutes
    /// the rules give (a wall time matched once; every real hour for `*` hours; a skipped time at the change).
    @Test func nextRunsMatchAMinuteByMinuteWalkAcrossDaylightSavingDays() throws {
        let expressions = ["30 2 * * *", "0,15,30,45 1-3 * * *", "*/20 * * * *", "0 * * * *", "59 1 * * *", "0 3 * * *", "*/7 2 * * *"]
        let days = [("America/New_York", "2026-03-08T00:00:00Z"), ("America/New_York", "2026-11-01T00:00:00Z"),
                    ("Europe/Berlin", "2026-03-28T18:00:00Z"), ("Europe/Berlin", "2026-10-24T18:00:00Z"),
                    ("Australia/Lord_Howe", "2026-04-04T10:00:00Z"), ("Australia/Lord_Howe", "2026-10-03T10:00:00Z")]
        for (zoneName, start) in days {
            let zone = Zone(zoneName)
            for text in expressions {
                let expression = try CronExpression(text)
                let schedule = CronSchedule(expression, zone: zone)
                let from = Self.ms(start), to = from + 30 * 3_600_000
                var expected: [Int64] = []
                var seenWalls = Set<Int64>()
                var previousWall: Int64?
                for minute in stride(from: from, to: to, by: 60_000) {
                    let wall = minute + Int64(zone.secondsFromUTC(atMs: minute)) * 1_000
                    var due = false
                    if Self.matches(expression, wall: wall) && (expression.everyHour || seenWalls.insert(wall).inserted) { due = true }
                    // Walls jumped over when the clock went forward run now (fixed hours only).
                    if let previousWall, wall - previousWall > 60_000, !expression.everyHour {
                        for skipped in stride(from: previousWall + 60_000, to: wall, by: 60_000) where Self.matches(expression, wall: skipped) { due = true }
                    }
                    if due { expected.append(minute) }
                    previousWall = wall
                }
                var actual: [Int64] = []
                var clock = from - 60_000
                while let next = schedule.next(afterMs: clock), next < to {
                    actual.append(next)
                    clock = next
                }
                #expect(actual.map(Self.iso) == expected.map(Self.iso), "\(text) in \(zoneName) from \(start)")
            }
        }
    }

    static func matches(_ expression: CronExpression, wall: Int64) -> Bool {
        let day = Civil.floorDiv(wall, Civil.dayMs)
        let minuteOfDay = Int((wall - day * Civil.dayMs) / 60_000)
        let date = Civil.date(daysSinceEpoch: day)
        return expression.minutes.contains(minuteOfDay % 60) && expression.hours.contains(minuteOfDay / 60)
            && expression.matches(month: date.month, day: date.day, weekday: Civil.weekday(daysSinceEpoch: day))
    }

    @Test func aGroupRunKeepsItsConcurrencyAndStopsAtTheFirstFailureWhenAsked() {
        var plan = GroupRunPlan(count: 5, concurrency: 2, stopOnFailure: true)
        #expect(plan.startable() == [0, 1])
        #expect(plan.startable().isEmpty, "two in flight")
        plan.record(0, .succeeded)
        #expect(plan.startable() == [2])
        plan.record(1, .failed)
        #expect(plan.startable().isEmpty && plan.stopped)
        plan.record(2, .succeeded)
        #expect(plan.isFinished && plan.counts == [.succeeded: 2, .failed: 1, .skipped: 2])

        var onward = GroupRunPlan(count: 3, concurrency: 0, stopOnFailure: false)
        #expect(onward.concurrency == 1)
        for index in 0..<3 {
            #expect(onward.startable() == [index])
            onward.record(index, index == 0 ? .refused : .succeeded)
        }
        #expect(onward.isFinished && onward.counts == [.refused: 1, .succeeded: 2] && !onward.stopped)
        #expect(GroupRunPlan(count: 0, concurrency: 3, stopOnFailure: false).isFinished)
    }
}
