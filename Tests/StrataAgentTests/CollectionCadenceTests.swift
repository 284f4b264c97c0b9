import StrataCore
import Testing
@testable import StrataAgent

/// Live mode on the agent without I/O: when the loop collects (`CollectionCadence`), what a fetch answer says
/// (`CommandWire.answer`, `LiveOrder`) and how long the window it opens lasts (`LiveWindowState`).
@Suite struct CollectionCadenceTests {
    /// Drives a cadence from `startMs` to `endMs` in 100 ms steps, each collection taking no time; `live` says which
    /// live interval is in force at a time. Returns the times of the collections of each kind.
    static func run(_ cadence: inout CollectionCadence, from startMs: Int64, to endMs: Int64,
                    live: (Int64) -> Int64?) -> (full: [Int64], live: [Int64]) {
        var full: [Int64] = []
        var fast: [Int64] = []
        for now in stride(from: startMs, to: endMs, by: 100) {
            let step = cadence.step(nowMs: now, live: live(now))
            switch step {
            case .full: full.append(now)
            case .live: fast.append(now)
            case .rest: continue
            }
            cadence.collected(step, nowMs: now)
        }
        return (full, fast)
    }

    @Test func withoutALiveWindowTheLoopCollectsAtEachMultipleOfTheIntervalOnly() {
        var cadence = CollectionCadence(intervalMs: 5_000, nowMs: 1_200)
        let times = Self.run(&cadence, from: 1_200, to: 21_000) { _ in nil }
        #expect(times.full == [1_200, 5_000, 10_000, 15_000, 20_000])
        #expect(times.live.isEmpty)
        #expect(cadence.wakeMs == 25_000)
    }

    @Test func aLiveWindowAddsOneCollectionPerSecondAtOnceAndTheFullOnesKeepTheirSlotsBeforeAndAfter() {
        var cadence = CollectionCadence(intervalMs: 5_000, nowMs: 0)
        let times = Self.run(&cadence, from: 0, to: 20_100) { now in (7_300..<13_000).contains(now) ? 1_000 : nil }
        #expect(times.full == [0, 5_000, 10_000, 15_000, 20_000], "discovery and the configured cadence are untouched")
        #expect(times.live == [7_300, 8_000, 9_000, 11_000, 12_000], "at once, then every second, the full one at 10 s standing in for one")
        let all = (times.full + times.live).sorted()
        #expect(zip(all.dropFirst(), all).filter { $1 >= 7_300 && $0 <= 12_000 }.allSatisfy { $0 - $1 <= 1_000 })
        #expect(!cadence.isLive && cadence.wakeMs == 25_000, "back to the interval once the window closed")
    }

    @Test func theServerCannotMakeTheAgentCollectFasterThanOnceASecondOrSlowerThanItsInterval() {
        var fast = CollectionCadence(intervalMs: 10_000, nowMs: 0)
        let times = Self.run(&fast, from: 0, to: 3_050) { _ in 10 }
        #expect(times.full == [0] && times.live == [1_000, 2_000, 3_000], "10 ms asked, 1 s given")
        var slow = CollectionCadence(intervalMs: 1_000, nowMs: 0)
        let slowTimes = Self.run(&slow, from: 0, to: 3_050) { _ in 1_000 }
        #expect(slowTimes.live.isEmpty && slowTimes.full == [0, 1_000, 2_000, 3_000], "already collecting every second: nothing changes")
        #expect(!slow.isLive)
    }

    @Test func aSlowCollectionSkipsSlotsInsteadOfBunchingThem() {
        var cadence = CollectionCadence(intervalMs: 10_000, nowMs: 0)
        let first = cadence.step(nowMs: 0, live: 1_000)
        #expect(first == .full)
        cadence.collected(.full, nowMs: 2_400)
        #expect(cadence.nextLiveMs == 3_000 && cadence.nextFullMs == 10_000)
        let second = cadence.step(nowMs: 3_000, live: 1_000)
        #expect(second == .live)
        cadence.collected(.live, nowMs: 3_050)
        let third = cadence.step(nowMs: 3_500, live: 1_000)
        #expect(third == .rest)
        #expect(cadence.wakeMs == 4_000)
    }

    @Test func aFetchAnswerCarriesItsLiveWindowAndAnOldOrMalformedOneNone() throws {
        let body = #"{"status":"success","data":{"commands":[],"live":{"intervalMs":1000,"untilMs":1700000060000,"forMs":60000}}}"#
        let answer = try CommandWire.answer(in: Array(body.utf8), agentID: "a")
        #expect(answer.commands.isEmpty && answer.live == LiveOrder(intervalMs: 1_000, forMs: 60_000))
        #expect(try CommandWire.answer(in: Array(#"{"commands":[]}"#.utf8), agentID: "a").live == nil, "an older server")
        for live in [#""live":{"intervalMs":"fast","forMs":1}"#, #""live":{"intervalMs":1000,"forMs":-5}"#, #""live":7"#] {
            #expect(try CommandWire.answer(in: Array(#"{"commands":[],\#(live)}"#.utf8), agentID: "a").live == nil, "\(live)")
        }
        let long = try CommandWire.answer(in: Array(#"{"commands":[],"live":{"intervalMs":1000,"forMs":99999999999}}"#.utf8), agentID: "a")
        #expect(long.live?.forMs == LiveOrder.maxForMs, "a window too long is cut")
    }

    @Test func theWindowRunsOnTheAgentsClockFromTheAnswerAndTheNextAnswerReplacesIt() {
        var window = LiveWindowState()
        #expect(window.interval(nowMs: 0) == nil)
        let opened = window.apply(LiveOrder(intervalMs: 1_000, forMs: 30_000), nowMs: 500)
        #expect(opened)
        #expect(window.interval(nowMs: 30_499) == 1_000 && window.interval(nowMs: 30_500) == nil)
        let renewed = window.apply(LiveOrder(intervalMs: 1_000, forMs: 30_000), nowMs: 20_000)
        #expect(!renewed, "a renewal opens nothing new")
        #expect(window.interval(nowMs: 49_999) == 1_000)
        let ended = window.apply(nil, nowMs: 21_000)
        #expect(!ended)
        #expect(window.interval(nowMs: 21_000) == nil, "an answer without live ends it")
    }
}
