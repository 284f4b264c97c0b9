import Logging
import ServiceLifecycle
import StrataCatalog
import StrataCore
import Synchronization

/// Attaches first-seen remote-written series to inventory resources in the background, in batches, so a
/// burst of new series (a Prometheus server starting to send 100k of them) does not hold up the write
/// requests that carried them. A service with one job: `submit` queues and wakes it; `run` attaches what
/// is queued, tenant by tenant, until graceful shutdown, and attaches what is left before it returns.
///
/// Crash safety: the series and its labels are already durable in the engine when a request is
/// acknowledged; only the inventory row may lag. After a restart the resolver's cache is empty, so every
/// series is "first seen" once more and attached again (attaching is idempotent).
final class RemoteSeriesRegistrar: Service {
    let catalog: any Catalog
    /// Where the `discovered` events of new sources go.
    let events: EventSink
    let logger: Logger

    private struct Queue {
        var pending: [String: [(id: StableID, labels: Labels)]] = [:]
        /// Submissions not yet attached (queued or being attached).
        var outstanding = 0
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
        queue.withLock { queue in
            queue.pending[tenant, default: []] += series
            queue.outstanding += 1
        }
        wake.yield()
    }

    func run() async {
        await withGracefulShutdownHandler {
            for await _ in wakeups { await drain() }
        } onGracefulShutdown: {
            self.wake.finish()
        }
        await drain()
    }

    private func drain() async {
        while let (tenant, series, submissions) = take() {
            do {
                events.emit(try await catalog.attachRemoteSeries(tenantID: tenant, series: series, nowMs: Time.nowMs()))
            } catch {
                logger.error("remote-written series not attached to resources; retried when they are next first seen",
                             metadata: ["series": "\(series.count)", "error": "\(error)"])
            }
            queue.withLock { $0.outstanding -= submissions }
        }
    }

    /// One tenant's queued series, and how many submissions they came in.
    private func take() -> (String, [(id: StableID, labels: Labels)], Int)? {
        queue.withLock { queue in
            guard let (tenant, series) = queue.pending.first else { return nil }
            queue.pending[tenant] = nil
            // Once the queue is empty every submission counted so far has been taken: the last take settles them all.
            let submissions = queue.pending.isEmpty ? queue.outstanding : 0
            return (tenant, series, submissions)
        }
    }

    /// Returns once everything submitted so far is attached (for tests); needs `run` to be running.
    func waitUntilIdle() async {
        while queue.withLock({ $0.outstanding > 0 }) { try? await Task.sleep(for: .milliseconds(5)) }
    }
}
