import StrataCore
import StrataTSDB
import StrataWire

/// Writes what rules produce (recorded series, `ALERTS`) into a tenant's storage as remote write does: the same series
/// ids (so a recorded series is the series a remote writer of the same labels would write), one commit per write, then
/// on to alerting and the live streams.
struct RuleSeriesWriter: Sendable {
    let store: any SampleStore
    let alertFeed: AlertFeed
    let streams: SampleStreams

    /// Appends one sample per series at `atMs` and waits for the commit.
    func write(_ samples: [(Labels, Double)], tenantID: String, atMs: Int64) async throws {
        guard !samples.isEmpty else { return }
        var batch = SampleBatch(capacity: samples.count)
        for (labels, value) in samples {
            let id = RemoteWriteRequest.seriesID(tenant: tenantID, labels: labels)
            batch.labels[id] = labels.setting(Labels.tenant, tenantID)
            batch.append(id, atMs, value)
        }
        var appender = store.appender(policy: AppendPolicy())
        appender.append(batch)
        let result = try await appender.commit()
        if result.summary.stored > 0 {
            alertFeed.submit(tenantID: tenantID, batch: batch, receivedMs: atMs)
            streams.publish(tenantID: tenantID, batch: batch)
        }
    }
}
