import StrataCore

/// One series as PromQL's evaluator reads it: its labels and its raw samples over a window, staleness markers
/// kept (`Sample.isStaleMarker`) — an instant selector stops looking back at a marker, as Prometheus's does.
public struct SelectedSeries: Sendable {
    /// The series.
    public var id: StableID
    /// Its labels (internal ones hidden when read through a `TenantQuerier`).
    public var labels: Labels
    /// Samples in time order, markers included; a real NaN is a value.
    public var samples: [Sample]

    /// Creates a series.
    public init(id: StableID, labels: Labels, samples: [Sample]) {
        self.id = id
        self.labels = labels
        self.samples = samples
    }

    /// The series with only its newest sample (none when it has none).
    public var newest: SelectedSeries {
        SelectedSeries(id: id, labels: labels, samples: samples.last.map { [$0] } ?? [])
    }
}
