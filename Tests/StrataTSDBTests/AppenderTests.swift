import StrataCore
import Testing
@testable import StrataTSDB

/// The appender contract: staged samples are stored by a commit, dropped by a rollback, and the refs a
/// commit hands out name their series when passed back.
@Test func anAppenderStoresOnCommitNothingOnRollbackAndItsRefsNameTheirSeries() async throws {
    let engine = try TimeSeriesEngine(directory: scratchDirectory("appender"), logger: quietLogger)
    let cpu = StableID(hex: "00000000000000c1")!
    let memory = StableID(hex: "00000000000000c2")!
    var appender = engine.appender(policy: .standard)

    appender.register(cpu, labels: ["__name__": "cpu"])
    appender.append(cpu, ref: .none, timestampMs: 1000, value: 1)
    appender.rollback()
    #expect(try await appender.commit().summary.stored == 0, "a rollback leaves nothing to commit")
    #expect(try await engine.samples(series: cpu, fromMs: 0, toMs: 10_000).isEmpty)

    appender.register(cpu, labels: ["__name__": "cpu"])
    appender.register(memory, labels: ["__name__": "memory"])
    appender.append(cpu, ref: .none, timestampMs: 1000, value: 1)
    appender.append(memory, ref: .none, timestampMs: 1000, value: 10)
    let first = try await appender.commit()
    #expect(first.summary.stored == 2)
    let cpuRef = try #require(first.refs[cpu])
    let memoryRef = try #require(first.refs[memory])
    #expect(cpuRef != memoryRef)

    // Passed back, the refs store into their series; a ref given to the wrong series is checked, not trusted.
    appender.append(cpu, ref: cpuRef, timestampMs: 2000, value: 2)
    appender.append(memory, ref: cpuRef, timestampMs: 2000, value: 20)
    let second = try await appender.commit()
    #expect(second.summary.stored == 2)
    #expect(second.refs[cpu] == nil, "a valid ref needs no new one")
    #expect(second.refs[memory] == memoryRef, "a wrong ref gets the series' own back")
    #expect(try await engine.samples(series: cpu, fromMs: 0, toMs: 10_000).map(\.value) == [1, 2])
    #expect(try await engine.samples(series: memory, fromMs: 0, toMs: 10_000).map(\.value) == [10, 20])
    #expect(await engine.labels(of: memory) == ["__name__": "memory"])
}
