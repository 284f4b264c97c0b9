import Testing
@testable import StrataAgent

/// The collector lifecycle without threads or clocks: times are plain numbers.
@Suite struct CollectorLifecycleTests {
    @Test func aCollectorRunsOnEveryNthBatchAndOnEachRefresh() {
        var lifecycle = CollectorLifecycle(schedule: CollectorSchedule(everyBatches: 3, budgetMs: 100), intervalMs: 1000)
        var steps: [CollectorLifecycle.Step] = []
        for batch in 0..<7 {
            let step = lifecycle.batch(nowMs: Int64(batch) * 1000, refresh: batch == 5)
            steps.append(step)
            if case .start = step { _ = lifecycle.returned() }
        }
        #expect(steps == [
            .start(refresh: false, deadlineMs: 100), .rest, .rest, .start(refresh: false, deadlineMs: 3100), .rest,
            .start(refresh: true, deadlineMs: 5100), .rest,
        ])
        #expect(lifecycle.timeouts == 0)
    }

    @Test func theBatchWaitsForARunUntilItsBudgetThenGoesWithoutItOnce() {
        var lifecycle = CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 300), intervalMs: 1000)
        #expect(lifecycle.batch(nowMs: 10_000, refresh: true) == .start(refresh: true, deadlineMs: 10_300))
        #expect(lifecycle.waitsUntilMs == 10_300)
        let early = lifecycle.overran(nowMs: 10_299)
        let due = lifecycle.overran(nowMs: 10_300)
        let again = lifecycle.overran(nowMs: 10_400)
        #expect(!early, "still within its budget")
        #expect(due, "the batch goes without it")
        #expect(!again, "counted once")
        #expect(lifecycle.waitsUntilMs == nil, "no batch waits for it any more")
        #expect(lifecycle.timeouts == 1)
        let late = lifecycle.returned()
        #expect(late, "its report is late")
        #expect(lifecycle.phase == .idle)
    }

    @Test func aRunBackWithinItsBudgetIsNotLate() {
        var lifecycle = CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 300), intervalMs: 1000)
        _ = lifecycle.batch(nowMs: 0, refresh: false)
        let late = lifecycle.returned()
        #expect(!late)
        #expect(lifecycle.timeouts == 0)
    }

    @Test func aCollectorWhoseRunIsStillOutIsNotStartedAgainButReportedStalledEachBatch() {
        var lifecycle = CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 300), intervalMs: 1000)
        _ = lifecycle.batch(nowMs: 0, refresh: false)
        _ = lifecycle.overran(nowMs: 300)
        #expect(lifecycle.batch(nowMs: 1000, refresh: false) == .stalled)
        #expect(lifecycle.batch(nowMs: 2000, refresh: false) == .stalled)
        #expect(lifecycle.timeouts == 3, "the overrun and two stalled batches")
        let late = lifecycle.returned()
        #expect(late)
        #expect(lifecycle.batch(nowMs: 3000, refresh: false) == .start(refresh: false, deadlineMs: 3300))
    }

    @Test func aRefreshMissedWhileARunIsOutIsOwedToTheNextRun() {
        var lifecycle = CollectorLifecycle(schedule: CollectorSchedule(everyBatches: 10, budgetMs: 300), intervalMs: 1000)
        _ = lifecycle.batch(nowMs: 0, refresh: false)
        _ = lifecycle.overran(nowMs: 300)
        #expect(lifecycle.batch(nowMs: 1000, refresh: true) == .stalled)
        _ = lifecycle.returned()
        #expect(lifecycle.batch(nowMs: 2000, refresh: false) == .start(refresh: true, deadlineMs: 2300),
                "due at once, although it runs every 10 batches")
        _ = lifecycle.returned()
        #expect(lifecycle.batch(nowMs: 3000, refresh: false) == .rest)
    }

    @Test func theBudgetIsHeldToThreeQuartersOfTheInterval() {
        #expect(CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 5000), intervalMs: 1000).budgetMs == 750)
        #expect(CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 5000), intervalMs: 10_000).budgetMs == 5000)
        #expect(CollectorLifecycle(schedule: CollectorSchedule(budgetMs: 0), intervalMs: 10_000).budgetMs == 1)
    }
}
