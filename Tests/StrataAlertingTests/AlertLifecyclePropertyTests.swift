import Testing
@testable import StrataAlerting

/// Random input sequences checked against a naive reference that recomputes the state from the whole history.
@Suite struct AlertLifecyclePropertyTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    enum Input { case observe(Bool), tick }

    /// The reference: without flapping marks, minimum firing time or people's actions, an alert is firing exactly when
    /// the condition's current uninterrupted run has lasted `for`, pending when it has not yet, resolved when the last
    /// run fired and ended, inactive otherwise; and it notifies twice per run that fired (once if still firing).
    static func reference(_ history: [(atMs: Int64, input: Input)], forMs: Int64) -> (state: AlertState, notifications: Int) {
        var runStart: Int64?
        var runFired = false
        var lastEndedRunFired: Bool?
        var firedRuns = 0
        for (atMs, input) in history {
            switch input {
            case .observe(true):
                if runStart == nil { runStart = atMs; runFired = false }
            case .observe(false):
                if runStart != nil { lastEndedRunFired = runFired; if runFired { firedRuns += 1 } }
                runStart = nil
            case .tick: break
            }
            if let start = runStart, !runFired, atMs - start >= forMs { runFired = true }
        }
        if let start = runStart {
            let notifications = firedRuns * 2 + (runFired ? 1 : 0)
            _ = start
            return (runFired ? .firing : .pending, notifications)
        }
        guard let ended = lastEndedRunFired else { return (.inactive, firedRuns * 2) }
        return (ended ? .resolved : .inactive, firedRuns * 2)
    }

    @Test(arguments: 0..<200)
    func theLifecycleAgreesWithTheReferenceOnRandomSequences(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 7919)
        let forMs = Int64(random.below(4)) * 10_000
        let policy = LifecyclePolicy(forMs: forMs, flapThreshold: 0)
        var alert = AlertLifecycle()
        var history: [(atMs: Int64, input: Input)] = []
        var notifications = 0
        var time: Int64 = 0
        for _ in 0..<(20 + random.below(60)) {
            time += Int64(1 + random.below(15_000))
            let input: Input = random.below(4) == 0 ? .tick : .observe(random.below(2) == 0)
            history.append((time, input))
            let out: [AlertTransition]
            switch input {
            case .observe(let active): out = alert.observe(active: active, value: nil, atMs: time, policy: policy)
            case .tick: out = alert.tick(atMs: time, policy: policy)
            }
            notifications += out.filter(\.notify).count
            let expected = Self.reference(history, forMs: forMs)
            #expect(alert.state == expected.state, "seed \(seed) at \(time)")
            #expect(notifications == expected.notifications, "seed \(seed) at \(time)")
        }
    }

    @Test(arguments: 0..<100)
    func flappingNeverTellsMoreThanTheMarkAndTheSettledState(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 104_729 &+ 1)
        let policy = LifecyclePolicy(minFiringMs: Int64(random.below(3)) * 5_000, flapWindowMs: 60_000, flapThreshold: 3 + random.below(3))
        var alert = AlertLifecycle()
        var time: Int64 = 0
        var toldWhileFlapping = 0
        var marks = 0
        var ends = 0
        var previous: AlertTransition?
        for _ in 0..<150 {
            time += Int64(1 + random.below(20_000))
            let wasFlapping = alert.flapping
            let out = random.below(5) == 0 ? alert.tick(atMs: time, policy: policy)
                : alert.observe(active: random.below(2) == 0, value: nil, atMs: time, policy: policy)
            for transition in out {
                if transition.reason == .flapping { marks += 1 }
                if transition.reason == .flapEnded { ends += 1 }
                if wasFlapping, transition.notify, transition.reason != .flapEnded { toldWhileFlapping += 1 }
                // Open alerts never go back to pending directly; resolved is reached only from an open alert.
                if transition.from.isOpen { #expect(transition.to != .pending && transition.to != .inactive) }
                if transition.to == .resolved, transition.reason == .conditionCleared { #expect(transition.from.isOpen) }
                if let previous, transition.notify, previous.notify, previous.from != previous.to, transition.from != transition.to {
                    #expect(previous.to != transition.to || previous.atMs != transition.atMs)
                }
                previous = transition
            }
        }
        #expect(toldWhileFlapping == 0)
        #expect(marks == ends || marks == ends + 1)
    }
}
