import Testing
@testable import StrataServer

/// `RetrySchedule` is pure: every case is computed, none waited for.
@Suite struct NotifyRetryScheduleTests {
    let schedule = RetrySchedule()

    @Test func delaysDoubleFromOneSecondUntilTheFiveMinuteCap() {
        let delays = (1...19).map { schedule.nextAttempt(afterAttempt: $0, lastAttemptMs: 0, jitter: 0) }
        #expect(delays.prefix(10) == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000])
        #expect(delays.dropFirst(9).allSatisfy { $0 == 300_000 })
    }

    @Test func delaysNeverShrinkBelowTheCapWhateverTheJitter() {
        for (earlier, later) in [(0.0, 0.999), (0.999, 0.999), (0.5, 0.0), (0.999, 0.0)] {
            for n in 1..<9 {
                let this = schedule.delayMs(afterAttempt: n, jitter: earlier)
                let next = schedule.delayMs(afterAttempt: n + 1, jitter: later)
                #expect(next >= this, "attempt \(n) jitter \(earlier) → \(later)")
            }
        }
    }

    @Test func jitterTakesOffAtMostItsFractionAndIsClamped() {
        for n in 1...15 {
            let full = schedule.delayMs(afterAttempt: n, jitter: 0)
            for jitter in stride(from: 0.0, to: 1.0, by: 0.05) {
                let delay = schedule.delayMs(afterAttempt: n, jitter: jitter)
                #expect(delay <= full && Double(delay) >= Double(full) * 0.8 - 1)
            }
        }
        #expect(schedule.delayMs(afterAttempt: 3, jitter: -5) == 4_000)
        #expect(schedule.delayMs(afterAttempt: 3, jitter: 7) == 3_200)
        #expect(schedule.delayMs(afterAttempt: 3, jitter: .nan) == 4_000)
        #expect(schedule.nextAttempt(afterAttempt: 3, lastAttemptMs: 10_000, jitter: 0.5) == 13_600)
    }

    @Test func givesUpAfterMaxAttemptsOrMaxAge() {
        #expect(schedule.nextAttempt(afterAttempt: 19, lastAttemptMs: 0, jitter: 0) != nil)
        #expect(schedule.nextAttempt(afterAttempt: 20, lastAttemptMs: 0, jitter: 0) == nil)
        #expect(schedule.nextAttempt(afterAttempt: 0, lastAttemptMs: 0, jitter: 0) == nil)
        let short = RetrySchedule(maxAttempts: 100, maxAgeMs: 60_000)
        #expect(short.nextAttempt(afterAttempt: 5, lastAttemptMs: 40_000, jitter: 0, firstAttemptMs: 0) == 56_000)
        #expect(short.nextAttempt(afterAttempt: 6, lastAttemptMs: 56_000, jitter: 0, firstAttemptMs: 0) == nil)
        #expect(short.nextAttempt(afterAttempt: 6, lastAttemptMs: 56_000, jitter: 0) == 88_000, "no first attempt, no age limit")
    }

    @Test func hugeAttemptCountsAndTimesNeitherOverflowNorExceedTheCap() {
        let endless = RetrySchedule(maxAttempts: .max, maxAgeMs: nil)
        #expect(endless.nextAttempt(afterAttempt: 10_000, lastAttemptMs: 0, jitter: 0) == 300_000)
        #expect(endless.nextAttempt(afterAttempt: 3, lastAttemptMs: .max - 10, jitter: 0) == nil)
    }
}
