import Logging
import StrataCatalog
import StrataCore

/// Attaches first-seen remote-written series to inventory resources in the background, in batches, so a
/// burst of new series (a Prometheus server starting to send 100k of them) does not hold up the write
/// requests that carried them.
///
/// Crash safety: the series and its labels are already durable in the engine when a request is
/// acknowledged; only the inventory row may lag. After a restart the resolver's cache is empty, so every
/// series is "first seen" once more and attached again (attaching is idempotent).
actor RemoteSeriesRegistrar {
    let catalog: any Catalog
    /// Where the `discovered` events of new sources go.
    let events: EventSink
    let logger: Logger
    private var pending: [String: [(id: StableID, labels: Labels)]] = [:]
    private var draining: Task<Void, Never>?

    init(catalog: any Catalog, events: EventSink, logger: Logger) {
        self.catalog = catalog
        self.events = events
        self.logger = logger
    }

    /// Queues series of `tenant` for attaching.
    func submit(tenant: String, series: [(id: StableID, labels: Labels)]) {
        pending[tenant, default: []] += series
        guard draining == nil else { return }
        draining = Task { await self.drain() }
    }

    private func drain() async {
        while let (tenant, series) = pending.first {
            pending[tenant] = nil
            do {
                events.emit(try await catalog.attachRemoteSeries(tenantID: tenant, series: series, nowMs: Time.nowMs()))
            } catch {
                logger.error("remote-written series not attached to resources; retried when they are next first seen",
                             metadata: ["series": "\(series.count)", "error": "\(error)"])
            }
        }
        draining = nil
    }

    /// Returns once everything submitted so far is attached (for tests and shutdown).
    func waitUntilIdle() async {
        while let running = draining { await running.value }
    }
}
