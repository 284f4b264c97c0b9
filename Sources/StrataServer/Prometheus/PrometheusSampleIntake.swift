import Metrics
import StrataCore
import StrataInventory
import StrataTSDB
import StrataWire

/// The one path remote-written and OTLP samples take once decoded: one appender and one durable commit per
/// request under Prometheus's rules (all or nothing, no out-of-order samples, the tenant's 1 h out-of-bounds
/// window, the raw retention), then the inventory (first-seen series, metadata, `up`), the resolver's cache,
/// alerting and the live streams. Both receivers share one instance, so they share the series cache.
struct PrometheusSampleIntake: Sendable {
    /// What a commit did.
    enum Outcome: Equatable {
        /// Every sample is durable (or was already stored); how many were new.
        case stored(Int)
        /// Nothing was stored: the first sample refused and why.
        case rejected(AppendSummary.Rejection)
    }

    let store: any SampleStore
    let registrar: RemoteSeriesRegistrar
    /// Committed samples go on to alerting (only for tenants with threshold definitions).
    let alertFeed: AlertFeed
    /// Committed samples go on to the live sample streams (only for tenants with one open).
    let streams: SampleStreams
    let resolver = SeriesResolver()
    /// Each tenant's newest sample, the reference of its out-of-bounds window.
    let horizons = TenantHorizons()
    /// Samples older than this behind the clock are refused whatever the tenant's window (the raw retention:
    /// they would be expired at once); nil for none.
    let maxAgeMs: Int64?

    /// Stores `batch` of `tenant` durably and passes it on; `newSeries` are the resolver entries of its
    /// first-seen series, `metadata` its families' metadata (recorded even when the batch is empty or refused,
    /// as Prometheus does).
    func commit(tenant: String, batch: SampleBatch, newSeries: [SeriesResolver.Entry], metadata: [MetricMetadata]) async throws -> Outcome {
        registrar.submit(tenant: tenant, metadata: metadata)
        guard !batch.isEmpty else { return .stored(0) }
        var policy = AppendPolicy.prometheus(newestMs: horizons.newest(tenant))
        policy.maxAgeMs = maxAgeMs
        var appender = store.appender(policy: policy)
        appender.append(batch)
        let result = try await appender.commit()
        let summary = result.summary
        if let rejection = summary.firstRejection { return .rejected(rejection) }
        if let newest = batch.timestamps.max() { horizons.advance(tenant, to: newest) }
        let now = Time.nowMs()
        if !newSeries.isEmpty {
            // First sight: the inventory learns of these series in the background (see the registrar).
            let series = newSeries.compactMap { entry in batch.labels[entry.id].map { (id: entry.id, labels: $0) } }
            for item in series where UpTracker.isUp(item.labels) {
                registrar.up.watch(item.id, tenant: tenant, target: ScrapeTarget(labels: item.labels), nowMs: now)
            }
            registrar.submit(tenant: tenant, series: series)
        }
        registrar.submit(tenant: tenant, readings: registrar.up.observe(batch, nowMs: now))
        resolver.remember(newSeries, refs: result.refs)
        alertFeed.submit(tenantID: tenant, batch: batch, receivedMs: now)
        // A resend whose samples were all stored already adds nothing to the streams.
        if summary.stored > 0 { streams.publish(tenantID: tenant, batch: batch) }
        return .stored(summary.stored)
    }
}
