import Foundation
import Testing
@testable import StrataAlerting

/// `Recurrence.covers` against a naive reference: Foundation's Gregorian calendar, in a time zone of the same fixed
/// offset, names the local weekday and time of the instant; the reference then walks back minute by minute over the
/// last eight days and asks of each minute whether a window starts there and still lasts.
@Suite struct RecurrencePropertyTests {
    typealias SplitMix = AlertLifecyclePropertyTests.SplitMix

    static func reference(_ recurrence: Recurrence, atMs: Int64) -> Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: recurrence.utcOffsetMinutes * 60)!
        let minuteStart = atMs - ((atMs % 60_000) + 60_000) % 60_000
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: Date(timeIntervalSince1970: Double(minuteStart) / 1000))
        // Foundation: 1 = Sunday … 7 = Saturday.
        let names: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        var weekday = parts.weekday! - 1
        var minuteOfDay = parts.hour! * 60 + parts.minute!
        var candidate = minuteStart
        for _ in 0...(8 * 24 * 60) {
            if minuteOfDay == recurrence.startMinute, recurrence.days.contains(names[weekday]),
               atMs - candidate < recurrence.durationMs { return true }
            candidate -= 60_000
            minuteOfDay -= 1
            if minuteOfDay < 0 {
                minuteOfDay = 24 * 60 - 1
                weekday = (weekday + 6) % 7
            }
        }
        return false
    }

    @Test(arguments: 0..<60)
    func coversAgreesWithAMinuteByMinuteCalendarWalk(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 2_654_435_761 &+ 3)
        let days = Weekday.allCases.filter { _ in random.below(2) == 0 }
        let durations: [Int64] = [60_000, 1_800_000, 3 * 3_600_000, 86_400_000, 3 * 86_400_000, Recurrence.maxDurationMs,
                                  Int64(1 + random.below(Int(Recurrence.maxDurationMs)))]
        let recurrence = Recurrence(days: days.isEmpty ? [.mon] : days, startMinute: random.below(1_440),
                                    durationMs: durations[random.below(durations.count)],
                                    utcOffsetMinutes: (random.below(105) - 48) * 15)
        for _ in 0..<12 {
            // Instants from 1960 to 2100, some on the exact edges of a window.
            var atMs = Int64(random.below(4_418_000)) * 1_000_000 - 315_000_000_000 + Int64(random.below(1_000_000))
            if random.below(3) == 0 {
                let local = atMs + Int64(recurrence.utcOffsetMinutes) * 60_000
                let midnight = local - ((local % 86_400_000) + 86_400_000) % 86_400_000
                atMs = midnight - Int64(recurrence.utcOffsetMinutes) * 60_000 + Int64(recurrence.startMinute) * 60_000
                    + [0, -1, recurrence.durationMs, recurrence.durationMs - 1][random.below(4)]
            }
            #expect(recurrence.covers(atMs: atMs) == Self.reference(recurrence, atMs: atMs), "seed \(seed): \(recurrence) at \(atMs)")
        }
    }
}
