import Testing
@testable import StrataAlerting

@Suite struct AlertLifecycleTests {
    let noFlap = LifecyclePolicy(flapThreshold: 0)

    @Test func aConditionHeldForItsDurationFiresAndItsClearingResolves() {
        let policy = LifecyclePolicy(forMs: 30_000, flapThreshold: 0)
        var alert = AlertLifecycle()
        #expect(alert.observe(active: true, value: 95, atMs: 1_000, policy: policy).map(\.to) == [.pending])
        #expect(alert.observe(active: true, value: 96, atMs: 20_000, policy: policy).isEmpty)
        let fired = alert.observe(active: true, value: 97, atMs: 31_000, policy: policy)
        #expect(fired == [AlertTransition(from: .pending, to: .firing, atMs: 31_000, reason: .heldFor, notify: true)])
        #expect(alert.startsAtMs == 1_000)
        let resolved = alert.observe(active: false, value: 50, atMs: 40_000, policy: policy)
        #expect(resolved == [AlertTransition(from: .firing, to: .resolved, atMs: 40_000, reason: .conditionCleared, notify: true)])
    }

    @Test func aPendingAlertThatClearsBeforeItsDurationTellsNobody() {
        let policy = LifecyclePolicy(forMs: 60_000, flapThreshold: 0)
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: 1, atMs: 0, policy: policy)
        let cleared = alert.observe(active: false, value: 0, atMs: 10_000, policy: policy)
        #expect(cleared.map(\.to) == [.inactive])
        #expect(cleared.allSatisfy { !$0.notify })
    }

    @Test func aTickFiresAnAlertWhoseConditionHeldWithoutNewSamples() {
        let policy = LifecyclePolicy(forMs: 5_000, flapThreshold: 0)
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: 1, atMs: 0, policy: policy)
        #expect(alert.tick(atMs: 4_999, policy: policy).isEmpty)
        #expect(alert.tick(atMs: 5_000, policy: policy).map(\.to) == [.firing])
    }

    @Test func aRecoveryBeforeTheMinimumFiringTimeResolvesWhenItHasPassed() {
        let policy = LifecyclePolicy(minFiringMs: 60_000, flapThreshold: 0)
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: 1, atMs: 0, policy: policy)
        #expect(alert.state == .firing)
        #expect(alert.observe(active: false, value: 0, atMs: 10_000, policy: policy).isEmpty)
        #expect(alert.tick(atMs: 59_999, policy: policy).isEmpty)
        #expect(alert.tick(atMs: 60_000, policy: policy).map(\.to) == [.resolved])
    }

    @Test func acknowledgingKeepsTheAlertOpenUntilItsConditionClears() throws {
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: 1, atMs: 0, policy: noFlap)
        let acknowledged = try alert.acknowledge(by: "ops", atMs: 1_000, policy: noFlap)
        #expect(acknowledged.first?.to == .acknowledged && acknowledged.first?.actor == "ops")
        #expect(alert.acknowledgedBy == "ops")
        #expect(alert.observe(active: false, value: 0, atMs: 2_000, policy: noFlap).map(\.to) == [.resolved])
        #expect(alert.acknowledgedBy == nil)
        #expect(throws: LifecycleError(state: .resolved, action: "acknowledge")) { try alert.acknowledge(by: "ops", atMs: 3_000, policy: noFlap) }
    }

    @Test func anAlertResolvedByHandWhileItsConditionHoldsFiresAgainOnlyAfterItClears() throws {
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: 1, atMs: 0, policy: noFlap)
        let resolved = try alert.resolve(by: "ops", atMs: 1_000, policy: noFlap)
        #expect(resolved.map(\.reason) == [.resolvedByHand])
        #expect(alert.observe(active: true, value: 1, atMs: 2_000, policy: noFlap).isEmpty)
        #expect(alert.observe(active: false, value: 0, atMs: 3_000, policy: noFlap).isEmpty)
        #expect(alert.observe(active: true, value: 1, atMs: 4_000, policy: noFlap).map(\.to) == [.pending, .firing])
    }

    @Test func aFlappingAlertIsToldOnceAndAgainWhenItSettles() {
        let policy = LifecyclePolicy(flapWindowMs: 60_000, flapThreshold: 4)
        var alert = AlertLifecycle()
        var told: [AlertTransition] = []
        for step in 0..<10 {
            told += alert.observe(active: step % 2 == 0, value: nil, atMs: Int64(step) * 5_000, policy: policy).filter(\.notify)
        }
        // Firing, resolved, firing are told; the fourth change marks it flapping; the rest are recorded quietly.
        #expect(told.map(\.reason) == [.conditionMet, .conditionCleared, .conditionMet, .flapping])
        #expect(alert.flapping)
        let settled = alert.tick(atMs: 45_000 + 60_000, policy: policy)
        #expect(settled == [AlertTransition(from: .resolved, to: .resolved, atMs: 105_000, reason: .flapEnded, notify: true)])
        #expect(!alert.flapping)
    }

    @Test func hysteresisKeepsAnOpenAlertOpenBetweenItsClearAndFireThresholds() {
        let condition = ThresholdCondition(metric: "cpu", op: .greater, threshold: 90, clear: 80)
        #expect(!condition.holds(85, open: false))
        #expect(condition.holds(85, open: true))
        #expect(!condition.holds(79, open: true))
        #expect(condition.holds(91, open: false))
    }

    @Test func timesAtTheEdgesOfInt64DoNotTrap() {
        let policy = LifecyclePolicy(forMs: Int64.max, minFiringMs: Int64.max, flapWindowMs: Int64.max, flapThreshold: 2)
        var alert = AlertLifecycle()
        _ = alert.observe(active: true, value: .infinity, atMs: .min, policy: policy)
        _ = alert.tick(atMs: .max, policy: policy)
        _ = alert.observe(active: false, value: -.infinity, atMs: .max, policy: policy)
        _ = alert.tick(atMs: .min, policy: policy)
        #expect(AlertState.allCases.contains(alert.state))
    }
}
