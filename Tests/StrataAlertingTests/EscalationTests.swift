import Testing
@testable import StrataAlerting

/// Escalation timing without I/O: steps measured from the firing transition, repeats, stopping on acknowledge,
/// resuming mid-chain, and durations too large to add without overflow.
@Suite struct EscalationTests {
    static let minute: Int64 = 60_000
    /// Step 1 after 15m, then every 10m, 3 sends; step 2 after 30m, once.
    static let policy = EscalationPolicy(steps: [EscalationStep(afterMs: 15 * minute, repeatMs: 10 * minute, times: 3),
                                                 EscalationStep(afterMs: 30 * minute)])

    /// Ticks a tracker every minute from `from` to `to` (inclusive) and collects what it hands out.
    static func run(_ tracker: inout EscalationTracker, state: AlertState = .firing, since: Int64, from: Int64, to: Int64) -> [EscalationSend] {
        stride(from: from, through: to, by: Int(minute)).flatMap { now in
            tracker.advance(state: state, firingSinceMs: since, nowMs: now, policy: policy)
        }
    }

    @Test func eachStepIsDueAfterItsDelayFromTheFiringTransitionAndRepeatsItsTimes() {
        var tracker = EscalationTracker()
        let since: Int64 = 1_000_000
        let sends = Self.run(&tracker, since: since, from: since, to: since + 120 * Self.minute)
        #expect(sends == [EscalationSend(step: 0, send: 0, dueMs: since + 15 * Self.minute),
                          EscalationSend(step: 0, send: 1, dueMs: since + 25 * Self.minute),
                          EscalationSend(step: 1, send: 0, dueMs: since + 30 * Self.minute),
                          EscalationSend(step: 0, send: 2, dueMs: since + 35 * Self.minute)])
    }

    @Test func nothingIsDueBeforeTheFirstStepNorTwiceForTheSameTime() {
        var tracker = EscalationTracker()
        #expect(tracker.advance(state: .firing, firingSinceMs: 0, nowMs: 15 * Self.minute - 1, policy: Self.policy).isEmpty)
        #expect(tracker.advance(state: .firing, firingSinceMs: 0, nowMs: 15 * Self.minute, policy: Self.policy).count == 1)
        #expect(tracker.advance(state: .firing, firingSinceMs: 0, nowMs: 15 * Self.minute, policy: Self.policy).isEmpty)
    }

    @Test func acknowledgingStopsTheChainForTheRestOfTheEpisode() {
        var tracker = EscalationTracker()
        #expect(Self.run(&tracker, since: 0, from: 0, to: 16 * Self.minute).count == 1)
        #expect(Self.run(&tracker, state: .acknowledged, since: 0, from: 17 * Self.minute, to: 18 * Self.minute).isEmpty)
        // Even if the alert were shown firing again in the same episode, the chain stays stopped.
        #expect(Self.run(&tracker, since: 0, from: 19 * Self.minute, to: 120 * Self.minute).isEmpty)
        #expect(tracker.stopped)
    }

    @Test func aNewFiringEpisodeAfterAResolveStartsTheChainAfresh() {
        var tracker = EscalationTracker()
        #expect(Self.run(&tracker, since: 0, from: 0, to: 20 * Self.minute).count == 1)
        #expect(tracker.advance(state: .resolved, firingSinceMs: 0, nowMs: 21 * Self.minute, policy: Self.policy).isEmpty)
        let again = 30 * Self.minute
        let sends = Self.run(&tracker, since: again, from: again, to: again + 15 * Self.minute)
        #expect(sends == [EscalationSend(step: 0, send: 0, dueMs: again + 15 * Self.minute)])
    }

    @Test func aLongGapTellsEachStepOnceWithItsLatestDueSend() {
        var tracker = EscalationTracker()
        #expect(tracker.advance(state: .firing, firingSinceMs: 0, nowMs: 16 * Self.minute, policy: Self.policy).count == 1)
        // Down from minute 16 to minute 50: step 1's sends at 25 and 35 and step 2's at 30 fell due meanwhile.
        let sends = tracker.advance(state: .firing, firingSinceMs: 0, nowMs: 50 * Self.minute, policy: Self.policy)
        #expect(sends == [EscalationSend(step: 0, send: 2, dueMs: 35 * Self.minute), EscalationSend(step: 1, send: 0, dueMs: 30 * Self.minute)])
    }

    @Test func aRestartResumesMidChainFromWhatWasHandled() {
        var before = EscalationTracker()
        let handled = Self.run(&before, since: 0, from: 0, to: 26 * Self.minute)
        #expect(handled.map(\.send) == [0, 1])
        // The history's last escalation was at minute 25: a new tracker resumes after it.
        var after = EscalationTracker(episodeMs: 0, handledThroughMs: 25 * Self.minute)
        let rest = Self.run(&after, since: 0, from: 40 * Self.minute, to: 120 * Self.minute)
        #expect(rest == [EscalationSend(step: 0, send: 2, dueMs: 35 * Self.minute), EscalationSend(step: 1, send: 0, dueMs: 30 * Self.minute)])
        // Resumed for an older episode, it starts afresh for the current one.
        var stale = EscalationTracker(episodeMs: -5, handledThroughMs: 25 * Self.minute)
        #expect(stale.advance(state: .firing, firingSinceMs: 0, nowMs: 15 * Self.minute, policy: Self.policy).count == 1)
    }

    @Test func hugeDurationsAndTimesNeitherTrapNorFallDue() {
        let huge = EscalationPolicy(steps: [EscalationStep(afterMs: .max, repeatMs: .max, times: 100),
                                            EscalationStep(afterMs: .max - 1, repeatMs: .max, times: 100),
                                            EscalationStep(afterMs: 1, repeatMs: .max, times: 100)])
        var tracker = EscalationTracker()
        #expect(tracker.advance(state: .firing, firingSinceMs: .max - 10, nowMs: .max, policy: huge).map(\.step) == [2])
        #expect(huge.due(firingSinceMs: .min, after: nil, nowMs: .max).map(\.step) == [0, 1, 2])
        #expect(huge.due(firingSinceMs: .max, after: nil, nowMs: .min).isEmpty)
        #expect(huge.due(firingSinceMs: 0, after: .max, nowMs: .max).isEmpty)
        #expect(huge.due(firingSinceMs: 1_700_000_000_000, after: nil, nowMs: 1_800_000_000_000).map(\.step) == [2])
    }

    @Test func stepsAreClampedToTheirInvariants() {
        let step = EscalationStep(afterMs: -5, repeatMs: -1, times: 1_000)
        #expect(step.afterMs == 1 && step.repeatMs == 1 && step.times == EscalationPolicy.maxTimes)
        #expect(EscalationStep(afterMs: 10, repeatMs: 99, times: 1).repeatMs == 0)
        #expect(EscalationPolicy(steps: Array(repeating: step, count: 40)).steps.count == EscalationPolicy.maxSteps)
    }

    @Test func theTrackerFollowsARealLifecycle() throws {
        let lifecyclePolicy = LifecyclePolicy(flapThreshold: 0)
        var alert = AlertLifecycle()
        var tracker = EscalationTracker()
        _ = alert.observe(active: true, value: 9, atMs: 5 * Self.minute, policy: lifecyclePolicy)
        #expect(alert.state == .firing)
        #expect(tracker.advance(alert, nowMs: 20 * Self.minute, policy: Self.policy).map(\.dueMs) == [20 * Self.minute])
        _ = try alert.acknowledge(by: "ana", atMs: 21 * Self.minute, policy: lifecyclePolicy)
        #expect(tracker.advance(alert, nowMs: 60 * Self.minute, policy: Self.policy).isEmpty)
        _ = alert.observe(active: false, value: 1, atMs: 61 * Self.minute, policy: lifecyclePolicy)
        _ = alert.observe(active: true, value: 9, atMs: 62 * Self.minute, policy: lifecyclePolicy)
        #expect(tracker.advance(alert, nowMs: 77 * Self.minute, policy: Self.policy).map(\.dueMs) == [77 * Self.minute])
    }
}
