import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// Collectors bounded in time, on real threads: a status page or a hypervisor connection that hangs (a
/// loopback listener whose connections the kernel accepts and nobody answers) holds a batch no longer than
/// its collector's budget, the other collectors' readings are in that batch, and what the slow one finds
/// follows once it returns.
@Suite struct CollectorTimeBoundTests {
    /// The batch's series of `metric` on the resource at `index`.
    static func series(_ batch: AgentBatch, _ index: Int, _ metric: String, _ labels: Labels = Labels()) -> SeriesPoints? {
        batch.series.first { $0.resourceIndex == index && $0.metric == metric && $0.labels == labels }
    }

    @Test func aStatusPageThatNeverAnswersHoldsTheBatchNoLongerThanTheServersBudget() throws {
        let page = try MisbehavingListener(answer: nil)
        let target = "http://127.0.0.1:\(page.port)/metrics"
        let fs = HostFS(root: "/")
        // This test process listens on the target's port: the real server discovery finds it, and its scrape
        // waits the plugins' 2 s for an answer that never comes.
        let servers = ServerDiscovery(fs: fs, plugins: [PrometheusPlugin(settings: ["prometheus.targets": target])],
                                      settings: ["prometheus.targets": target])
        var builder = BatchBuilder(fs: fs, intervalMs: 400, refreshEvery: 1000, collectors: [PlatformCollector(fs: fs), SelfCollector(), servers])
        let clock = ContinuousClock()
        var first: AgentBatch?
        let waited = clock.measure { first = builder.build(agentID: "agent", sequence: 1, timestampMs: 1_000) }
        let batch = try #require(first)
        #expect(waited < .milliseconds(1500), "the servers' budget is 300 ms (¾ of the interval); waited \(waited)")
        #expect(batch.resources.map(\.kind) == [.platform], "the hanging server is not in this batch")
        #expect(Self.series(batch, 0, "cpu_seconds_total", ["mode": "user"]) != nil, "the platform's readings are")
        #expect(Self.series(batch, 0, "agent_resident_memory_bytes") != nil, "and the agent's own")
        #expect(Self.series(batch, 0, "agent_collector_timeouts_total", ["collector": "servers"])?.points.first?.value == 1)

        // Once the scrape gave up, the server travels with a later batch, at the first batch's time, down.
        var late: (batch: AgentBatch, index: Int)?
        for sequence in 2...40 where late == nil {
            Thread.sleep(forTimeInterval: 0.25)
            let next = builder.build(agentID: "agent", sequence: UInt64(sequence), timestampMs: 1_000 + Int64(sequence) * 400)
            #expect(Self.series(next, 0, "cpu_seconds_total", ["mode": "user"]) != nil, "every batch has the platform's readings")
            if let index = next.resources.firstIndex(where: { $0.key.hasSuffix("/exporter:\(page.port)") }) { late = (next, index) }
        }
        let (later, index) = try #require(late, "the late report arrives")
        let up = try #require(Self.series(later, index, "up"))
        #expect(up.points == [Sample(1_000, 0)], "its status page failed; its points keep the time of the batch that started the run")
        #expect(later.resources[index].properties != nil, "it is announced with its properties")
    }

    @Test func aCollectorThatHangsRunsOnceIsReportedStalledAndDeliversWhenItReturns() throws {
        let gate = GatedCollector.Gate()
        let runner = CollectorRunner(collectors: [PlatformCollector(fs: HostFS(root: "/")), GatedCollector(gate: gate)], intervalMs: 1000)
        func pass(_ number: Int64) -> CollectionPass {
            CollectionPass(timestampMs: number * 1000, intervalMs: 1000, refresh: false, platformKey: "machine-id:test")
        }
        func gated(_ deliveries: [CollectorRunner.Delivery]) -> [(timestampMs: Int64, up: Double?)] {
            deliveries.flatMap { delivery in
                delivery.report.resources.filter { $0.name == "gated" }.map { (delivery.pass.timestampMs, $0.metrics.value("up")) }
            }
        }
        let clock = ContinuousClock()
        var first: [CollectorRunner.Delivery] = []
        let waited = clock.measure { first = runner.collect(pass(1)) }
        #expect(waited < .milliseconds(2000), "its budget is 200 ms (without one, this batch would wait forever); waited \(waited)")
        #expect(first.count == 1 && first[0].report.platform.value("cpu_cores") != nil, "the platform's readings, without the hanging one")
        for number: Int64 in [2, 3] {
            let deliveries = runner.collect(pass(number))
            #expect(deliveries.contains { $0.report.platform.value("cpu_cores") != nil })
            #expect(gated(deliveries).map(\.up) == [0], "batch \(number) reports it stalled")
        }
        #expect(gate.runs == 1, "no second run while the first hangs")
        #expect(runner.readings.value("agent_collector_timeouts_total", ["collector": "gated"]) == 3)

        gate.release()
        Thread.sleep(forTimeInterval: 0.3)
        let fourth = gated(runner.collect(pass(4)))
        #expect(fourth.map(\.timestampMs) == [1000, 4000], "the late run's report at its own time, then this batch's run")
        #expect(fourth.map(\.up) == [1, 1], "and no stalled report")
        #expect(gate.runs == 2)
    }

    @Test func aHypervisorConnectionThatHangsIsReportedDownWithoutItsVMsAndHoldsNoBatch() throws {
        let hypervisor = try MisbehavingListener(answer: nil)
        let uri = "qemu+tcp://127.0.0.1:\(hypervisor.port)/system"
        let fs = HostFS(root: "/")
        var builder = BatchBuilder(fs: fs, intervalMs: 400, refreshEvery: 1000,
                                   collectors: [PlatformCollector(fs: fs), HypervisorCollector(uris: [uri])])
        let clock = ContinuousClock()
        var batches: [AgentBatch] = []
        let waited = clock.measure {
            for sequence in 1...3 { batches.append(builder.build(agentID: "agent", sequence: UInt64(sequence), timestampMs: Int64(sequence) * 400)) }
        }
        #expect(waited < .milliseconds(4000), "three batches, each held at most 300 ms by the hypervisor (not forever); took \(waited)")
        #expect(batches.allSatisfy { Self.series($0, 0, "cpu_seconds_total", ["mode": "user"]) != nil })
        #expect(batches[0].resources.count == 1, "the first batch goes without the hanging connection")
        for batch in batches.dropFirst() {
            let index = try #require(batch.resources.firstIndex { $0.kind == .hypervisor })
            #expect(batch.resources[index].key.hasSuffix("/libvirt:" + uri))
            #expect(Self.series(batch, index, "up")?.points.first?.value == 0, "down while its connection hangs")
            #expect(!batch.resources.contains { $0.kind == .vm }, "no VMs, so they raise no alerts")
        }
        #expect(Self.series(batches[2], 0, "agent_collector_timeouts_total", ["collector": "libvirt " + uri])?.points.first?.value == 3)
    }
}

/// A collector that blocks until the test releases it, counting its runs; while a run is out it reports its
/// server down.
struct GatedCollector: Collector {
    /// The gate and the run count, shared with the test.
    final class Gate: @unchecked Sendable {
        // @unchecked: `open` and `count` are touched only with `condition` locked.
        private let condition = NSCondition()
        private var open = false
        private var count = 0

        var runs: Int { condition.withLock { count } }

        func release() {
            condition.withLock { open = true }
            condition.broadcast()
        }

        func pass() {
            condition.withLock {
                count += 1
                while !open { condition.wait() }
            }
        }
    }

    let gate: Gate
    var name: String { "gated" }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 200) }

    func collect(_ pass: CollectionPass) -> CollectorReport {
        gate.pass()
        var metrics = MetricSink()
        metrics.gauge("up", 1)
        return CollectorReport(resources: [ReportedResource(kind: .server, key: pass.platformKey + "/gated", name: "gated", properties: nil,
                                                            metrics: metrics)])
    }

    func stalled(_ pass: CollectionPass) -> CollectorReport {
        CollectorReport(resources: [.down(.server, key: pass.platformKey + "/gated", name: "gated")])
    }
}
