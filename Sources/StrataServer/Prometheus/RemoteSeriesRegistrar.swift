import Logging
import ServiceLifecycle
import StrataCatalog
import StrataCore
import Synchronization

/// Carries what remote write tells the inventory to the catalog in the background, in batches, so a burst of new
/// series (a Prometheus server starting to send 100k of them) does not hold up the write requests that carried
/// them: first-seen series are attached to resources (see StrataInventory's `TargetMatcher`), metric metadata
/// types their families, and changes of `up` series set their targets' availability. Every 10 s it also moves
/// the series of sources an agent has since found a server for, and marks silent `up` series stale. A service
/// with one job: `submit…` queues and wakes it; `run` works through the queue, tenant by tenant, until graceful
/// shutdown, and works through what is left before it returns.
///
/// Crash safety: the series and its labels are already durable in the engine when a request is
/// acknowledged; only the inventory row may lag. After a restart the resolver's cache is empty, so every
/// series is "first seen" once more and attached again (attaching is idempotent).
final class RemoteSeriesRegistrar: Service {
    let catalog: any Catalog
    /// Where the `discovered` and availability events go.
    let events: EventSink
    /// The `up` series and what they last said.
    let up = UpTracker()
    let logger: Logger

    private struct Queue {
        var series: [String: [(id: StableID, labels: Labels)]] = [:]
        var metadata: [String: [MetricMetadata]] = [:]
        var readings: [String: [UpTracker.Change]] = [:]
        /// Submissions not yet carried out (queued or in progress).
        var outstanding = 0
        var tickDue = false

        var isEmpty: Bool { series.isEmpty && metadata.isEmpty && readings.isEmpty }
    }

    /// One tenant's share of the queue.
    private struct Work {
        let tenant: String
        var series: [(id: StableID, labels: Labels)] = []
        var metadata: [MetricMetadata] = []
        var readings: [UpTracker.Change] = []
        var submissions = 0
    }

    private let queue = Mutex(Queue())
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(catalog: any Catalog, events: EventSink, logger: Logger) {
        self.catalog = catalog
        self.events = events
        self.logger = logger
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Queues series of `tenant` for attaching; never waits.
    func submit(tenant: String, series: [(id: StableID, labels: Labels)]) {
        guard !series.isEmpty else { return }
        enqueue { $0.series[tenant, default: []] += series }
    }

    /// Queues metric families' metadata of `tenant`; never waits.
    func submit(tenant: String, metadata: [MetricMetadata]) {
        guard !metadata.isEmpty else { return }
        enqueue { $0.metadata[tenant, default: []] += metadata }
    }

    /// Queues changes of `tenant`'s `up` series; never waits.
    func submit(tenant: String, readings: [UpTracker.Change]) {
        guard !readings.isEmpty else { return }
        enqueue { $0.readings[tenant, default: []] += readings }
    }

    private func enqueue(_ add: (inout Queue) -> Void) {
        queue.withLock { queue in
            add(&queue)
            queue.outstanding += 1
        }
        wake.yield()
    }

    func run() async {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(10))
                        self.queue.withLock { $0.tickDue = true }
                        self.wake.yield()
                    }
                }
                for await _ in wakeups { await drain() }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        await drain()
    }

    private func drain() async {
        while let work = take() {
            let now = Time.nowMs()
            do {
                events.emit(try await catalog.attachRemoteSeries(tenantID: work.tenant, series: work.series, nowMs: now))
                try await catalog.recordMetricMetadata(tenantID: work.tenant, metadata: work.metadata, nowMs: now)
                events.emit(try await catalog.applyUpReadings(tenantID: work.tenant, readings: work.readings, nowMs: now))
            } catch {
                logger.error("remote-written series not attached to resources; retried when they are next first seen",
                             metadata: ["series": "\(work.series.count)", "error": "\(error)"])
            }
            queue.withLock { $0.outstanding -= work.submissions }
        }
        if queue.withLock({ queue in defer { queue.tickDue = false }; return queue.tickDue }) { await tick() }
    }

    /// Every 10 s: sources an agent has since found a home for join it; silent `up` series become stale.
    private func tick() async {
        let now = Time.nowMs()
        do {
            events.emit(try await catalog.rehomeRemoteSources(nowMs: now))
            for (tenant, stale) in up.expire(nowMs: now) {
                events.emit(try await catalog.applyUpReadings(tenantID: tenant, readings: stale, nowMs: now))
            }
        } catch is CancellationError {
            return
        } catch {
            logger.error("remote-written sources not re-examined; retried in 10 s", metadata: ["error": "\(error)"])
        }
    }

    /// One tenant's queued work, and how many submissions it came in.
    private func take() -> Work? {
        queue.withLock { queue in
            guard let tenant = queue.series.keys.first ?? queue.metadata.keys.first ?? queue.readings.keys.first else { return nil }
            var work = Work(tenant: tenant)
            work.series = queue.series.removeValue(forKey: tenant) ?? []
            work.metadata = queue.metadata.removeValue(forKey: tenant) ?? []
            work.readings = queue.readings.removeValue(forKey: tenant) ?? []
            // Once the queue is empty every submission counted so far has been taken: the last take settles them all.
            work.submissions = queue.isEmpty ? queue.outstanding : 0
            return work
        }
    }

    /// Returns once everything submitted so far is carried out (for tests); needs `run` to be running.
    func waitUntilIdle() async {
        while queue.withLock({ $0.outstanding > 0 }) { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// Runs the 10-second pass now (for tests).
    func reexamine() async { await tick() }
}
