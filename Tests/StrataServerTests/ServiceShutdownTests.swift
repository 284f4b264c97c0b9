import Foundation
import StrataTSDB
import Testing
@testable import StrataServer

/// Background services end when the server stops instead of finishing their sleep: a SIGTERM used to take 26–38 s
/// because the schedule loop slept through its cancellation.
@Suite struct ServiceShutdownTests {
    /// Whether `task` ends within `seconds` of being cancelled.
    static func endsSoon<Failure: Error>(_ task: Task<Void, Failure>, seconds: Double) async -> Bool {
        task.cancel()
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { _ = await task.result; return true }
            group.addTask { try? await Task.sleep(for: .seconds(seconds)); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    @Test func theScheduleLoopEndsWhenCancelledInsteadOfSleepingOn() async throws {
        let harness = try ServerHarness()
        let server = harness.server
        try await harness.test { _ in
            let loop = Task { try await ScheduleLoop(schedules: server.schedules, runner: server.groupRuns, clock: { WallClock.nowMs() }).run() }
            // Let it load and fall asleep (no schedule: it sleeps its longest, 30 s).
            try await Task.sleep(for: .milliseconds(300))
            #expect(await Self.endsSoon(loop, seconds: 5), "the loop is still asleep 5 s after its cancellation")
        }
    }

    @Test func aSleepCancelledBeforeItBeginsReturnsAtOnce() async throws {
        let harness = try ServerHarness()
        let schedules = harness.server.schedules
        let sleeper = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await schedules.sleep(untilMs: WallClock.nowMs() + 60_000)
        }
        #expect(await Self.endsSoon(sleeper, seconds: 5))
    }
}
