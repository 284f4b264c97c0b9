import StrataCore

/// Samples to append, flat: one entry per sample, in arrival order (no per-series allocation, which is what
/// time-major remote write needs: one sample per series per request).
public struct SampleBatch: Sendable, Equatable {
    /// Series of each sample.
    public private(set) var seriesIDs: [StableID] = []
    /// Timestamp of each sample.
    public private(set) var timestamps: [Int64] = []
    /// Value of each sample.
    public private(set) var values: [Double] = []
    /// Labels of series the caller wants registered (new series); others may be absent.
    public var labels: [StableID: Labels] = [:]

    /// Creates an empty batch with room for `capacity` samples.
    public init(capacity: Int = 0) {
        seriesIDs.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    /// Flattens grouped samples.
    public init(_ groups: [SeriesSamples]) {
        self.init(capacity: groups.reduce(0) { $0 + $1.samples.count })
        for group in groups {
            if let labels = group.labels { self.labels[group.seriesID] = labels }
            for sample in group.samples { append(group.seriesID, sample.timestampMs, sample.value) }
        }
    }

    /// Adds one sample.
    public mutating func append(_ series: StableID, _ timestamp: Int64, _ value: Double) {
        seriesIDs.append(series)
        timestamps.append(timestamp)
        values.append(value)
    }

    /// Sets the series of every sample from index `start` on (for decoders that learn a series' id after
    /// its samples).
    public mutating func assignSeries(_ series: StableID, from start: Int) {
        for index in start..<seriesIDs.count { seriesIDs[index] = series }
    }

    /// Number of samples.
    public var count: Int { seriesIDs.count }

    /// Whether there are no samples.
    public var isEmpty: Bool { seriesIDs.isEmpty }
}
