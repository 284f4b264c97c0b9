import Foundation
import Synchronization
import StrataTSDB
import Testing
@testable import StrataServer

/// Background services end when the server stops instead of finishing their sleep: a SIGTERM used to take 26–38 s
/// because the schedule loop slept through its cancellation.
@Suite struct ServiceShutdownTests {
    /// Whether `task` ends within `seconds` of being cancelled (it is left running when it does not).
    static func endsSoon<Failure: Error>(_ task: Task<Void, Failure>, seconds: Double) async -> Bool {
        task.cancel()
        let ended = Atomic<Bool>(false)
        Task { _ = await task.result; ended.store(true, ordering: .relaxed) }
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline, !ended.load(ordering: .relaxed) { try? await Task.sleep(for: .milliseconds(20)) }
        return ended.load(ordering: .relaxed)
    }

    @Test func theScheduleLoopEndsWhenCancelledInsteadOfSleepingOn() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { _ in
            // A loop that sleeps an hour when it has nothing to do: only its cancellation can end it soon.
            let schedules = ScheduleService(catalog: server.catalog, runner: server.groupRuns, audit: AuditTrail(catalog: server.catalog, logger: server.logger),
                                            logger: server.logger, clock: { WallClock.nowMs() }, maxSleepMs: 3_600_000)
            let loop = Task { try await ScheduleLoop(schedules: schedules, runner: server.groupRuns, clock: { WallClock.nowMs() }).run() }
            try await Task.sleep(for: .milliseconds(300))
            #expect(await Self.endsSoon(loop, seconds: 120), "the loop is still asleep 2 minutes after its cancellation")
        }
    }

    @Test func aSleepCancelledBeforeItBeginsReturnsAtOnce() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        let schedules = ScheduleService(catalog: server.catalog, runner: server.groupRuns, audit: AuditTrail(catalog: server.catalog, logger: server.logger),
                                        logger: server.logger, clock: { WallClock.nowMs() }, maxSleepMs: 3_600_000)
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await schedules.sleep(untilMs: WallClock.nowMs() + 3_600_000)
        }
        #expect(await Self.endsSoon(sleeper, seconds: 120))
    }
}
