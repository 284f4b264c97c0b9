import Foundation
import Testing
@testable import StrataAlerting

/// Recurring maintenance windows without I/O: weekdays, windows across midnight and week ends, fixed UTC offsets,
/// the silence's own bounds, and the text the API takes.
@Suite struct RecurrenceTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 86_400_000
    /// Saturday 2025-01-04 00:00 UTC.
    static let saturday: Int64 = 1_735_948_800_000

    @Test func weekdaysCountFromTheThursdayOfTheEpoch() {
        #expect(Weekday.of(daysSinceEpoch: 0) == .thu)
        #expect(Weekday.of(daysSinceEpoch: 2) == .sat)
        #expect(Weekday.of(daysSinceEpoch: -1) == .wed)
        #expect(Weekday.of(daysSinceEpoch: -7) == .thu)
        #expect(Weekday.of(daysSinceEpoch: Self.saturday / Self.day) == .sat)
        #expect(Weekday.of(daysSinceEpoch: .min) != Weekday.of(daysSinceEpoch: .min + 1))
    }

    @Test func aWeekendWindowCoversItsHoursOnSaturdayAndSundayOnly() {
        let weekend = Recurrence(days: [.sat, .sun], startMinute: 120, durationMs: 2 * Self.hour)
        #expect(!weekend.covers(atMs: Self.saturday + 2 * Self.hour - 1))
        #expect(weekend.covers(atMs: Self.saturday + 2 * Self.hour))
        #expect(weekend.covers(atMs: Self.saturday + 4 * Self.hour - 1))
        #expect(!weekend.covers(atMs: Self.saturday + 4 * Self.hour))
        #expect(weekend.covers(atMs: Self.saturday + Self.day + 3 * Self.hour))
        #expect(!weekend.covers(atMs: Self.saturday + 2 * Self.day + 3 * Self.hour), "Monday")
        #expect(!weekend.covers(atMs: Self.saturday - Self.day + 3 * Self.hour), "Friday")
        #expect(weekend.covers(atMs: Self.saturday + 7 * Self.day + 3 * Self.hour), "the next Saturday")
    }

    @Test func aWindowAcrossMidnightCoversTheNextDaysFirstHours() {
        let late = Recurrence(days: [.sun], startMinute: 23 * 60, durationMs: 3 * Self.hour)
        let sunday = Self.saturday + Self.day
        #expect(late.covers(atMs: sunday + 23 * Self.hour))
        #expect(late.covers(atMs: sunday + Self.day + Self.hour), "Monday 01:00, in Sunday's window")
        #expect(!late.covers(atMs: sunday + Self.day + 2 * Self.hour))
        #expect(!late.covers(atMs: sunday + Self.hour), "Sunday 01:00 belongs to Saturday's window, and there is none")
    }

    @Test func aWeekLongWindowReachesBackSevenDays() {
        let week = Recurrence(days: [.mon], startMinute: 0, durationMs: Recurrence.maxDurationMs)
        let monday = Self.saturday + 2 * Self.day
        #expect(week.covers(atMs: monday))
        #expect(week.covers(atMs: monday + 7 * Self.day - 1))
        #expect(week.covers(atMs: monday + 7 * Self.day), "the next Monday's window")
        let shorter = Recurrence(days: [.mon], startMinute: 0, durationMs: Recurrence.maxDurationMs - 1)
        #expect(!shorter.covers(atMs: monday + 7 * Self.day - 1))
    }

    @Test func aFixedOffsetShiftsTheLocalDayAndTime() {
        // 02:00 at +01:00 is 01:00 UTC; 23:30 at -05:00 on Friday is Saturday 04:30 UTC.
        let plusOne = Recurrence(days: [.sat], startMinute: 120, durationMs: Self.hour, utcOffsetMinutes: 60)
        #expect(plusOne.covers(atMs: Self.saturday + Self.hour))
        #expect(!plusOne.covers(atMs: Self.saturday + 2 * Self.hour))
        let minusFive = Recurrence(days: [.fri], startMinute: 23 * 60 + 30, durationMs: Self.hour, utcOffsetMinutes: -300)
        #expect(minusFive.covers(atMs: Self.saturday + 4 * Self.hour + 30 * 60_000))
        #expect(!minusFive.covers(atMs: Self.saturday + 3 * Self.hour))
    }

    @Test func extremeTimesNeitherTrapNorMatchByAccident() {
        let daily = Recurrence(startMinute: 0, durationMs: Self.hour, utcOffsetMinutes: 840)
        _ = daily.covers(atMs: .max)
        _ = daily.covers(atMs: .min)
        let west = Recurrence(startMinute: 0, durationMs: Self.hour, utcOffsetMinutes: -720)
        _ = west.covers(atMs: .min)
        _ = west.covers(atMs: .max)
    }

    @Test func aRecurringSilenceIsActiveOnlyInsideBothItsWindowsAndItsBounds() {
        let weekend = Recurrence(days: [.sat, .sun], startMinute: 120, durationMs: 2 * Self.hour)
        let silence = Silence(id: "s", tenantID: "t", matchers: ["alertname": "x"], startsMs: Self.saturday + 3 * Self.hour,
                              endsMs: Self.saturday + 8 * Self.day, comment: "", createdBy: "ana", recurrence: weekend)
        #expect(!silence.isActive(atMs: Self.saturday + 2 * Self.hour), "before the series starts")
        #expect(silence.isActive(atMs: Self.saturday + 3 * Self.hour))
        #expect(!silence.isActive(atMs: Self.saturday + 5 * Self.hour))
        #expect(silence.isActive(atMs: Self.saturday + 7 * Self.day + 2 * Self.hour))
        #expect(!silence.isActive(atMs: Self.saturday + 8 * Self.day + 2 * Self.hour), "after the series ends")
        #expect(silence.covers(labels: ["alertname": "x"], lineage: [], atMs: Self.saturday + Self.day + 2 * Self.hour))
        #expect(!silence.covers(labels: ["alertname": "x"], lineage: [], atMs: Self.saturday + Self.day + 5 * Self.hour))
    }

    @Test func storedSilencesWithoutARecurrenceReadAsBefore() throws {
        let json = #"{"id":"s","tenantID":"t","matchers":{"a":"b"},"resourceIDs":[],"startsMs":1,"endsMs":5,"comment":"c","createdBy":"x"}"#
        let silence = try JSONDecoder().decode(Silence.self, from: Data(json.utf8))
        #expect(silence.recurrence == nil && silence.isActive(atMs: 4) && !silence.isActive(atMs: 5))
        let encoded = String(decoding: try JSONEncoder().encode(silence), as: UTF8.self)
        #expect(!encoded.contains("recurrence"))
    }

    @Test func theTextFormIsReadStrictlyNamingTheField() throws {
        let parsed = try Recurrence.parse(days: ["sat", "SUN", "sat"], start: "02:00", duration: "2h", timezone: "+01:30")
        #expect(parsed == Recurrence(days: [.sat, .sun], startMinute: 120, durationMs: 2 * Self.hour, utcOffsetMinutes: 90))
        #expect(parsed.startText == "02:00" && parsed.timezoneText == "+01:30")
        #expect(try Recurrence.parse(days: nil, start: "7:05", duration: "30m", timezone: nil).days.count == 7)
        #expect(try Recurrence.parse(days: nil, start: "23:59", duration: "7d", timezone: "-12:00").timezoneText == "-12:00")
        let bad: [([String]?, String, String, String?, String)] = [
            (["sunday"], "02:00", "2h", nil, "recurrence.days"), ([], "02:00", "2h", nil, "recurrence.days"),
            (nil, "24:00", "2h", nil, "recurrence.start"), (nil, "2", "2h", nil, "recurrence.start"), (nil, "02:60", "2h", nil, "recurrence.start"),
            (nil, "-1:00", "2h", nil, "recurrence.start"), (nil, "02:00", "8d", nil, "recurrence.duration"), (nil, "02:00", "0s", nil, "recurrence.duration"),
            (nil, "02:00", "7d1ms", nil, "recurrence.duration"), (nil, "02:00", "2h", "CET", "recurrence.timezone"),
            (nil, "02:00", "2h", "+15:00", "recurrence.timezone"), (nil, "02:00", "2h", "+1:00", "recurrence.timezone"),
        ]
        for (days, start, duration, timezone, field) in bad {
            #expect(throws: RecurrenceError.self, "\(start) \(duration)") {
                try Recurrence.parse(days: days, start: start, duration: duration, timezone: timezone)
            }
            do {
                _ = try Recurrence.parse(days: days, start: start, duration: duration, timezone: timezone)
            } catch {
                #expect(error.field == field && error.description.hasPrefix(field + " must"), "\(error)")
            }
        }
    }
}
