import StrataCore

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

/// What happened to the samples of one `append`.
public struct AppendSummary: Sendable, Equatable {
    /// Samples newly stored (in order or out of order within the window).
    public var stored = 0
    /// Samples already stored with the bit-identical value (replays): accepted, nothing changed.
    public var duplicates = 0
    /// Samples whose timestamp is stored with a different value: rejected, the first value stays.
    public var conflicts = 0
    /// Samples older than the out-of-order window: rejected.
    public var tooOld = 0

    /// Creates a summary.
    public init(stored: Int = 0, duplicates: Int = 0, conflicts: Int = 0, tooOld: Int = 0) {
        self.stored = stored
        self.duplicates = duplicates
        self.conflicts = conflicts
        self.tooOld = tooOld
    }

    /// Samples refused.
    public var rejected: Int { conflicts + tooOld }
}

/// Durable storage of samples, the contract every storage engine fulfils.
///
/// Invariants: `append` returns only once every accepted sample is durable (survives kill -9); appending a
/// sample whose (series, timestamp) is already stored keeps the first value, so replays never duplicate.
public protocol SampleStore: Sendable {
    /// Appends samples durably and says what happened to them.
    @discardableResult
    func append(_ groups: [SeriesSamples]) async throws -> AppendSummary
    /// Samples of `series` with `fromMs <= timestamp <= toMs`, in time order.
    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample]
}
