import StrataCore

/// The samples of one series to append.
public struct SeriesSamples: Sendable, Equatable {
    /// The series.
    public var seriesID: StableID
    /// Samples in any order; a sample with a timestamp the series already has is ignored.
    public var samples: [Sample]

    /// Creates a group.
    public init(seriesID: StableID, samples: [Sample]) {
        self.seriesID = seriesID
        self.samples = samples
    }
}

/// Durable storage of samples, the contract every storage engine fulfils.
///
/// Invariants: `append` returns only once every sample is durable (survives kill -9); appending a sample
/// whose (series, timestamp) is already stored keeps the first value, so replays never duplicate.
public protocol SampleStore: Sendable {
    /// Appends samples durably. Returns the number of samples newly stored.
    @discardableResult
    func append(_ groups: [SeriesSamples]) async throws -> Int
    /// Samples of `series` with `fromMs <= timestamp <= toMs`, in time order.
    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample]
}
