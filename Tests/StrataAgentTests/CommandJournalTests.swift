import Glibc
import Testing
@testable import StrataAgent

@Suite struct CommandJournalTests {
    func journal(_ text: String) -> CommandJournal { CommandJournal(text: Array(text.utf8)) }

    @Test func journaledCommandsAreSkippedAndOnlyUnknownOnesRun() {
        let journal = journal("a accepted\na done\nb accepted\n")
        #expect(journal.decision(for: "a") == .skip(.done))
        #expect(journal.decision(for: "b") == .skip(.accepted))
        #expect(journal.decision(for: "c") == .run)
        #expect(journal.unfinished == ["b"], "accepted without done: interrupted by the agent's stop")
        #expect(!journal.needsRewrite)
    }

    @Test func aTornLastLineIsIgnoredAndForcesARewrite() {
        let journal = journal("a accepted\na done\nb acc")
        #expect(journal.decision(for: "b") == .run, "a command whose accepted line did not reach the disk never started")
        #expect(journal.tornTail && journal.needsRewrite)
        #expect(String(decoding: journal.compacted().text, as: UTF8.self) == "a done\n")
    }

    @Test func doneIsFinalAndGarbageLinesAreLeftOut() {
        let journal = journal("a done\na accepted\nno\nx y z\n../etc accepted\nb done\n")
        #expect(journal.decision(for: "a") == .skip(.done))
        #expect(journal.unfinished.isEmpty)
        #expect(journal.order == ["a", "b"])
    }

    @Test func compactionKeepsTheUnfinishedAndTheLatestFinished() {
        var journal = CommandJournal()
        journal.record("old-running", .accepted)
        for index in 0..<50 {
            journal.record("c\(index)", .accepted)
            journal.record("c\(index)", .done)
        }
        let compacted = journal.compacted(keeping: 10)
        #expect(compacted.order == ["old-running"] + (40..<50).map { "c\($0)" })
        #expect(compacted.decision(for: "old-running") == .skip(.accepted))
        #expect(compacted.decision(for: "c49") == .skip(.done))
        #expect(compacted.decision(for: "c0") == .run)
        #expect(CommandJournal(text: compacted.text) == CommandJournal(text: compacted.text).compacted(keeping: 10))
    }

    @Test func idsThatCouldBreakTheJournalOrAPathAreInvalid() {
        #expect(CommandJournal.isValidID("cmd_01H-x.2"))
        for bad in ["", ".", "..", "a b", "a/b", "a\nb", String(repeating: "x", count: 129), "ü"] { #expect(!CommandJournal.isValidID(bad), "\(bad)") }
    }

    @Test func theFileAppendsReopensAndCompacts() throws {
        let path = "/tmp/strata-journal-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(path); unlink(path + ".tmp") }
        try FileIO.writeAtomically(Array("x accepted\ny acc".utf8), to: path)
        let file = try CommandJournalFile(path: path)
        #expect(file.interruptedAtStart == ["x"])
        try file.record("z", .accepted)
        try file.record("x", .done)
        let reopened = try CommandJournalFile(path: path)
        #expect(reopened.interruptedAtStart == ["z"])
        #expect(reopened.decision(for: "x") == .skip(.done))
        #expect(HostFS(root: "/").read(path) == "x accepted\nz accepted\nx done\n", "the torn line was dropped before appending")
    }
}

@Suite struct RunningCommandsTests {
    @Test func aResourceHoldsOneCommandAtATime() {
        var running = RunningCommands()
        let first = running.reserve("server k")
        let second = running.reserve("server k")
        #expect(first && !second, "a second command on the resource waits")
        running.release("server k")
        let again = running.reserve("server k")
        #expect(again)
        running.started("c1", deadlineMs: 100)
        #expect(running.holds("c1"))
        let wanted = running.finished("c1", resource: "server k")
        #expect(wanted, "its result is wanted")
        let free = running.reserve("server k")
        #expect(!running.holds("c1") && free)
    }

    @Test func anOverdueCommandIsGivenUpOnceAndItsLateResultDropped() {
        var running = RunningCommands()
        _ = running.reserve("vm v")
        running.started("hung", deadlineMs: 100)
        running.started("quick", deadlineMs: 500)
        let early = running.giveUp(nowMs: 100)
        let due = running.giveUp(nowMs: 101)
        let again = running.giveUp(nowMs: 102)
        #expect(early.isEmpty, "not before its deadline")
        #expect(due == ["hung"])
        #expect(again.isEmpty, "given up once")
        let busy = running.reserve("vm v")
        #expect(running.holds("hung") && !busy, "the hung call still holds its VM")
        let wanted = running.finished("hung", resource: "vm v")
        #expect(!wanted, "its late result goes nowhere")
        let free = running.reserve("vm v")
        #expect(!running.holds("hung") && free)
    }
}
