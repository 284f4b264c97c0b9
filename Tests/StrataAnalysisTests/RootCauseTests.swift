import Foundation
import StrataCore
import Testing
@testable import StrataAnalysis

/// Root-cause ranking on generated incidents with a known cause (eight seeds each): the cause ranks first, the
/// distractors (a transient spike on another VM, a cache warming up, an unrelated earlier change, the host a noisy
/// VM saturates) do not.
@Suite struct RootCauseTests {
    static func check(_ make: (UInt64) -> RootCauseScenario, seeds: ClosedRange<UInt64> = 1...8) throws -> [(RootCauseScenario, RootCauseReport)] {
        try seeds.map { seed in
            let scenario = make(seed * 104_729)
            let report = try RootCauseRanker.rank(scenario.symptom, signals: scenario.signals, changes: scenario.changes)
            let ranking = report.findings.map { "\($0.resourceID) \(Wording.significant($0.score)): \($0.explanation)" }
            #expect(report.findings.first?.resourceID == scenario.cause, "seed \(seed): expected \(scenario.cause) first, got \(ranking)")
            return (scenario, report)
        }
    }

    @Test
    func theLeakingWebappOfTheCRMStoryRanksFirstForTheVMsCPUWithARestartAndItsTimeToExhaustion() throws {
        for (scenario, report) in try Self.check(RootCauseScenario.crm) {
            guard let top = report.findings.first, let leak = top.evidence.first(where: { $0.kind == .leak }) else {
                Issue.record("no leak evidence on the first finding: \(report.findings.map(\.explanation))")
                continue
            }
            #expect((leak.correlation ?? 0) >= 0.5, "\(leak.sentence)")
            #expect(leak.sentence.contains(top.resourceName))
            #expect(report.recommendation?.hasPrefix("restart") == true, "\(report.recommendation ?? "none")")
            let last = scenario.symptom.to
            if let truth = scenario.exhaustionMs, truth <= last + RootCauseScenario.step {
                #expect((leak.exhaustionMs ?? .max) <= last + RootCauseScenario.step, "the heap is already at its limit")
            } else if let truth = scenario.exhaustionMs, let predicted = leak.exhaustionMs {
                let error = abs(Double(predicted - truth)) / Double(truth - last)
                #expect(error < 0.2, "time to exhaustion \(Wording.duration(predicted - last)) vs \(Wording.duration(truth - last))")
            } else {
                Issue.record("no time to exhaustion: \(leak.sentence)")
            }
        }
    }

    @Test func aNoisyNeighbourVMOnTheSameHostWinsOverTheHostItSaturates() throws {
        for (_, report) in try Self.check(RootCauseScenario.noisyNeighbour) {
            #expect(report.recommendation?.hasPrefix("cap or move") == true, "\(report.recommendation ?? "none")")
        }
    }

    @Test func aFillingDiskWinsOverAnEarlierUnrelatedChange() throws {
        for (_, report) in try Self.check(RootCauseScenario.fillingDisk) {
            #expect(report.findings.first?.evidence.first?.kind == .exhaustion)
        }
    }

    @Test func aConfigurationChangeFollowedByErrorsWins() throws {
        for (_, report) in try Self.check(RootCauseScenario.badChange) {
            #expect(report.findings.first?.evidence.first?.kind == .change)
            #expect(report.recommendation?.contains("site.conf") == true)
        }
    }

    @Test func aSymptomWithTooLittleHistoryIsSaidNotGuessed() {
        let points = (0..<3).map { TimePoint(Int64($0) * 60_000, 1) }
        let signal = Signal(resourceID: "a", resourceName: "a", resourceKind: "vm", metric: "cpu", relation: "", distance: 0, points: points)
        #expect(throws: InsufficientData.self) {
            try RootCauseRanker.rank(.init(signal: signal, from: 0, to: 180_000), signals: [])
        }
        #expect(throws: InsufficientData.self) {
            try RootCauseRanker.rank(.init(signal: signal, from: 5, to: 5), signals: [])
        }
    }
}
