import Testing
@testable import StrataAlerting

/// Random sequences of ticks, acknowledgements, resolves, new firing episodes and restarts, checked against a naive
/// reference that enumerates every (step, send) due time by brute force and remembers per step the last send handled.
@Suite struct EscalationPropertyTests {
    typealias SplitMix = AlertLifecyclePropertyTests.SplitMix

    /// The reference: per episode, for each step the highest send handled so far; at each tick, every send of every
    /// step whose due time (added up one repeat at a time, stopping at overflow) is at or before now, and of those
    /// the highest, told when it is higher than the one handled.
    struct Reference {
        var steps: [(afterMs: Int64, repeatMs: Int64, times: Int)]
        var episode: Int64?
        var acknowledged = false
        var handled: [Int: Int] = [:]

        mutating func fire(at ms: Int64) {
            episode = ms
            acknowledged = false
            handled = [:]
        }

        mutating func tick(nowMs: Int64) -> [EscalationSend] {
            guard let episode, !acknowledged else { return [] }
            var out: [EscalationSend] = []
            for (index, step) in steps.enumerated() {
                var due: [(send: Int, atMs: Int64)] = []
                var (atMs, overflow) = episode.addingReportingOverflow(step.afterMs)
                for send in 0..<step.times where !overflow {
                    if atMs <= nowMs { due.append((send, atMs)) }
                    (atMs, overflow) = atMs.addingReportingOverflow(step.repeatMs)
                }
                guard let latest = due.last, latest.send > handled[index, default: -1] else { continue }
                handled[index] = latest.send
                out.append(EscalationSend(step: index, send: latest.send, dueMs: latest.atMs))
            }
            return out
        }
    }

    static func randomPolicy(_ random: inout SplitMix) -> EscalationPolicy {
        let huge = random.below(10) == 0
        return EscalationPolicy(steps: (0..<(1 + random.below(4))).map { _ in
            let times = 1 + random.below(5)
            let after = huge && random.below(2) == 0 ? Int64.max - Int64(random.below(1_000)) : Int64(1 + random.below(600)) * 1_000
            return EscalationStep(afterMs: after, repeatMs: times > 1 ? Int64(1 + random.below(300)) * 1_000 : 0, times: times)
        })
    }

    @Test(arguments: 0..<300)
    func theTrackerAgreesWithTheReferenceOnRandomSequences(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1)
        let policy = Self.randomPolicy(&random)
        var reference = Reference(steps: policy.steps.map { ($0.afterMs, $0.repeatMs, $0.times) })
        var tracker = EscalationTracker()
        var state = AlertState.resolved
        var firingSince: Int64?
        var lastRecorded: Int64?   // what the evaluator's history records: the time of the last tick that escalated
        var seen = Set<[Int64]>()
        var now: Int64 = 1_000_000
        for _ in 0..<(40 + random.below(120)) {
            now += 1 + Int64(random.below(random.below(8) == 0 ? 900_000 : 20_000))
            switch random.below(20) {
            case 0:
                if state == .firing { state = .acknowledged; reference.acknowledged = true }
            case 1:
                state = .resolved
                reference.episode = nil
            case 2, 3:
                if !state.isOpen {
                    state = .firing
                    firingSince = now
                    lastRecorded = nil
                    reference.fire(at: now)
                }
            case 4:
                // A restart: a new tracker resumes from the history.
                tracker = state == .firing && firingSince != nil ? EscalationTracker(episodeMs: firingSince!, handledThroughMs: lastRecorded) : EscalationTracker()
            default: break
            }
            let sends = tracker.advance(state: state, firingSinceMs: firingSince, nowMs: now, policy: policy)
            let expected = reference.tick(nowMs: now)
            #expect(sends == expected, "seed \(seed) at \(now)")
            if !sends.isEmpty { lastRecorded = now }
            for send in sends {
                #expect(state == .firing)
                #expect(send.dueMs <= now)
                #expect(seen.insert([firingSince ?? 0, Int64(send.step), Int64(send.send)]).inserted, "sent twice: seed \(seed)")
            }
        }
    }

    @Test(arguments: 0..<100)
    func tickingEveryMillisecondOfAStepTellsEverySendInOrder(seed: Int) {
        var random = SplitMix(state: UInt64(seed) &+ 77)
        let times = 1 + random.below(6)
        let step = EscalationStep(afterMs: Int64(1 + random.below(50)), repeatMs: Int64(1 + random.below(20)), times: times)
        let policy = EscalationPolicy(steps: [step])
        var tracker = EscalationTracker()
        var sends: [EscalationSend] = []
        for now in Int64(0)...300 { sends += tracker.advance(state: .firing, firingSinceMs: 0, nowMs: now, policy: policy) }
        #expect(sends.map(\.send) == Array(0..<times))
        #expect(sends.map(\.dueMs) == (0..<times).map { step.afterMs + Int64($0) * step.repeatMs })
    }
}
