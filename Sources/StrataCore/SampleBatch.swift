/// The samples of one series to append.
public struct SeriesSamples: Sendable, Equatable {
    /// The series.
    public var seriesID: StableID
    /// Samples in time order (out-of-order samples follow the store's documented rule).
    public var samples: [Sample]
    /// The series' labels, given when the caller knows them (kept by stores that index labels).
    public var labels: Labels?

    /// Creates a group.
    public init(seriesID: StableID, samples: [Sample], labels: Labels? = nil) {
        self.seriesID = seriesID
        self.samples = samples
        self.labels = labels
    }
}

/// Samples to append, flat: one entry per sample, in arrival order (no per-series allocation, which is what
/// time-major remote write needs: one sample per series per request).
public struct SampleBatch: Sendable, Equatable {
    /// Series of each sample.
    public private(set) var seriesIDs: [StableID] = []
    /// Timestamp of each sample.
    public private(set) var timestamps: [Int64] = []
    /// Value of each sample.
    public private(set) var values: [Double] = []
    /// The head slot each sample's series had when its sender last appended it (`SeriesRef.none` when not
    /// known); a hint the engine checks against the id, never trusts.
    public private(set) var hints: [SeriesRef] = []
    /// Labels of series the caller wants registered (new series); others may be absent.
    public var labels: [StableID: Labels] = [:]

    /// Creates an empty batch with room for `capacity` samples.
    public init(capacity: Int = 0) {
        seriesIDs.reserveCapacity(capacity)
        timestamps.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
        hints.reserveCapacity(capacity)
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
    public mutating func append(_ series: StableID, _ timestamp: Int64, _ value: Double, hint: SeriesRef = .none) {
        seriesIDs.append(series)
        timestamps.append(timestamp)
        values.append(value)
        hints.append(hint)
    }

    /// Sets the series (and its hint) of the samples at `indices` (for decoders that learn a series' id
    /// after its samples).
    public mutating func assignSeries(_ series: StableID, hint: SeriesRef = .none, in indices: Range<Int>) {
        for index in indices {
            seriesIDs[index] = series
            hints[index] = hint
        }
    }

    /// Number of samples.
    public var count: Int { seriesIDs.count }

    /// Whether there are no samples.
    public var isEmpty: Bool { seriesIDs.isEmpty }
}

/// A series' slot in the engine's head, handed out when the series is created and stable for the life of
/// the engine. Callers that see the same series again (the remote-write resolver) pass it back as a hint
/// so the engine skips its hash lookup; a hint that does not name the sample's series is ignored.
public struct SeriesRef: Sendable, Hashable {
    /// 1-based slot; 0 is `none`.
    public let rawValue: UInt32

    /// A ref from its raw value.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// No hint.
    public static let none = SeriesRef(rawValue: 0)
}
