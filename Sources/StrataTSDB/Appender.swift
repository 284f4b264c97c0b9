import StrataCore

/// The write side of a sample store, in the style of Prometheus's `storage.Appender`: stage samples (by series
/// id, with the `SeriesRef` the store handed out for the series last time, if the caller kept it), then
/// `commit` (durable, all-or-nothing or per sample as the policy says) or `rollback` (nothing stored).
/// Every intake — agent batches, remote write, next OTLP and rules — appends through one.
///
/// Refs belong to the store: a caller only passes back what `commit` returned, and the store checks each
/// against the series id, so a stale or foreign ref costs a lookup, never a wrong series.
public protocol Appender: Sendable {
    /// Stages one sample of `series`; `ref` is the store's ref for it from an earlier commit, or `.none`.
    mutating func append(_ series: StableID, ref: SeriesRef, timestampMs: Int64, value: Double)
    /// Stages samples already gathered in a batch (with their refs and the labels of new series).
    mutating func append(_ batch: SampleBatch)
    /// Gives the labels of a series the store may not know yet (registered when its first sample is stored).
    mutating func register(_ series: StableID, labels: Labels)
    /// Stores what is staged and returns only once every accepted sample is durable: what happened to each,
    /// and the refs of series whose samples carried none (or a stale one), for next time. Staging is empty after.
    mutating func commit() async throws -> AppendResult
    /// Drops what is staged; nothing is stored.
    mutating func rollback()
}

extension Appender {
    /// Stages grouped samples with their labels.
    public mutating func append(_ groups: [SeriesSamples]) {
        for group in groups {
            if let labels = group.labels { register(group.seriesID, labels: labels) }
            for sample in group.samples { append(group.seriesID, ref: .none, timestampMs: sample.timestampMs, value: sample.value) }
        }
    }
}

/// The engine's appender: stages into a flat `SampleBatch` and hands it to the engine once, at commit.
struct EngineAppender: Appender {
    let engine: TimeSeriesEngine
    let policy: AppendPolicy
    var staged = SampleBatch()

    mutating func append(_ series: StableID, ref: SeriesRef, timestampMs: Int64, value: Double) {
        staged.append(series, timestampMs, value, hint: ref)
    }

    mutating func append(_ batch: SampleBatch) {
        if staged.isEmpty {
            staged = batch
            return
        }
        for index in 0..<batch.count {
            staged.append(batch.seriesIDs[index], batch.timestamps[index], batch.values[index], hint: batch.hints[index])
        }
        staged.labels.merge(batch.labels) { first, _ in first }
    }

    mutating func register(_ series: StableID, labels: Labels) {
        staged.labels[series] = labels
    }

    mutating func commit() async throws -> AppendResult {
        let batch = staged
        staged = SampleBatch()
        guard !batch.isEmpty else { return AppendResult(summary: AppendSummary()) }
        return try await engine.appendResolving(batch, policy: policy)
    }

    mutating func rollback() {
        staged = SampleBatch()
    }
}
