import Foundation
import Logging
import StrataAPI
import StrataCore
import StrataTSDB
import Synchronization
import Testing
@testable import StrataServer

/// The real store, but its range queries fail while `failing` is set: a history read that times out, as a busy
/// server's queries on their low-priority threads can. While `held` is set they wait (a slow read). Otherwise they
/// run without the evaluator's 5 s budget: in a full `swift test` on two cores a real read once passed it, failing
/// a test that is about the failures this type makes.
final class RangeQueriesFailing: Querier {
    struct Refused: Error {}
    let store: TimeSeriesEngine
    let failing = Mutex(true)
    let held = Mutex(false)
    /// Range queries asked, failed or not.
    let asked = Mutex(0)

    init(_ store: TimeSeriesEngine) { self.store = store }

    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult {
        asked.withLock { $0 += 1 }
        while held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(2)) }
        if failing.withLock({ $0 }) { throw Refused() }
        return try await store.query(query, budget: .unlimited)
    }

    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await store.select(matchers, budget: budget)
    }

    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        try await store.select(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
    }

    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        try await store.samples(series: series, fromMs: fromMs, toMs: toMs)
    }

    func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await store.selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget)
    }

    func labels(of series: StableID) async -> Labels? { await store.labels(of: series) }

    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        try await store.labelNames(matching: matchers, budget: budget)
    }

    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        try await store.labelValues(name, matching: matchers, budget: budget)
    }
}

/// A baseline definition over a series with two weeks of stored history, evaluated through `RangeQueriesFailing`.
final class BaselineHistoryRig: Sendable {
    /// The evaluator's clock, set by `send`.
    final class Clock: Sendable {
        let now = Mutex<Int64>(0)
    }

    static let hour: Int64 = 3_600_000
    let harness: ServerHarness
    let querier: RangeQueriesFailing
    let evaluator: AlertEvaluator
    let clock = Clock()
    let definitionID: String
    let series = StableID(parts: ["baseline-history-series"])
    let labels = Labels([Label("__name__", "requests"), Label("job", "base")])
    /// Saturday 10:30 UTC: a busy hour, usually 200 + 1.
    let now = AlertingEscalationTests.saturday + 10 * BaselineHistoryRig.hour + 30 * 60_000

    init() async throws {
        harness = try ServerHarness()
        _ = try await harness.server.bootstrap()
        let hour = Self.hour
        // Two weeks before this hour: 20 at night, 200 from 09:00 to 18:00 UTC, 0/1/2 added within each hour.
        func usual(_ time: Int64) -> Double {
            let hourOfDay = (time / hour) % 24
            let base: Double = hourOfDay >= 9 && hourOfDay < 18 ? 200 : 20
            return base + Double((time / 600_000) % 3)
        }
        let thisHour = now / hour * hour
        let history = stride(from: thisHour - 14 * 24 * hour, to: thisHour, by: 600_000).map { Sample($0, usual($0)) }
        _ = try await harness.server.store.append([SeriesSamples(seriesID: series, samples: history, labels: labels)])
        querier = RangeQueriesFailing(harness.server.store)
        let clock = clock
        evaluator = AlertEvaluator(catalog: harness.server.catalog, querier: querier, sink: harness.server.events, feed: AlertFeed(),
                                   logger: Logger(label: "baseline-history-test"), clock: { clock.now.withLock { $0 } })
        try await evaluator.load()
        let definition = try JSONDecoder().decode(API.AlertDefinition.self, from: Data("""
            {"name": "requests-unusual", "scope": {"series": {"job": "base"}},
             "condition": {"type": "baseline", "metric": "requests", "deviations": 4}}
            """.utf8))
        definitionID = try await evaluator.define(definition, tenantID: "default", origin: "api").id
    }

    func send(_ value: Double, at time: Int64) async {
        clock.now.withLock { $0 = time }
        var batch = SampleBatch()
        batch.append(series, time, value)
        batch.labels[series] = labels
        await evaluator.process([AlertFeed.Item(tenantID: "default", batch: batch, receivedMs: time)])
    }

    func firing() async -> Int { await evaluator.entries.values.filter { $0.lifecycle.state == .firing }.count }
}

/// A baseline whose stored history could not be read when it first saw its series (in the full test suite, a
/// history query on a loaded machine passed its timeout) learns it at the series' next sample, instead of starting
/// from nothing and firing on nothing for the definition's life.
@Test func aBaselineWhoseHistoryCouldNotBeReadLearnsItAtTheNextSample() async throws {
    let rig = try await BaselineHistoryRig()
    await rig.send(1_000, at: rig.now)
    #expect(await rig.firing() == 0, "without its history the baseline decides nothing")
    rig.querier.failing.withLock { $0 = false }
    await rig.send(1_000, at: rig.now + 10_000)
    #expect(await rig.firing() == 1, "with its history read at the next sample, 1,000 against a usual 201 fires")
}

/// A history that stays unreadable is tried by three samples, then the baseline learns from live samples alone: a
/// failing store is not asked again at every sample.
@Test func aBaselineWhoseHistoryStaysUnreadableStopsAskingAfterThreeSamples() async throws {
    let rig = try await BaselineHistoryRig()
    for second in 0..<6 { await rig.send(201, at: rig.now + Int64(second) * 10_000) }
    #expect(rig.querier.asked.withLock { $0 } == AlertEvaluator.historyAttempts, "one failed read for each of the first three samples")
    #expect(await rig.evaluator.baselines.count == 1, "then an empty profile, learning from live samples")
    #expect(await rig.firing() == 0)
}

/// A definition removed while its baseline's history is being read (the evaluator awaits the store, and the actor
/// takes the removal meanwhile) leaves nothing behind: no profile, and no alert for a definition that no longer
/// exists. Before, the read's profile was stored after the removal had cleared the state, and the sample then
/// opened an alert (1,000 against a usual 201) that outlived its definition.
@Test func aDefinitionRemovedWhileItsBaselineHistoryIsReadLeavesNoProfileAndNoAlert() async throws {
    let rig = try await BaselineHistoryRig()
    rig.querier.failing.withLock { $0 = false }
    rig.querier.held.withLock { $0 = true }
    let sending = Task { await rig.send(1_000, at: rig.now) }
    while rig.querier.asked.withLock({ $0 }) == 0 { try await Task.sleep(for: .milliseconds(2)) }
    #expect(try await rig.evaluator.remove(tenantID: "default", id: rig.definitionID))
    rig.querier.held.withLock { $0 = false }
    await sending.value
    #expect(await rig.evaluator.baselines.isEmpty)
    #expect(await rig.evaluator.entries.isEmpty)
}
