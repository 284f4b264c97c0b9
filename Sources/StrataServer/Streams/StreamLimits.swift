/// How much of each tenant's recent ingest the sample streams hold, which is both how far back a reconnecting client
/// can resume and how far a subscriber may fall behind before it is dropped: a subscriber reads the tenant's ring
/// through its own cursor, and is dropped once the ring has let go of a batch it has not read yet.
public struct StreamLimits: Sendable, Equatable {
    /// Batches older than this leave the ring (ms).
    public var ringMs: Int64
    /// The ring holds at most this many samples (the newest batch stays whatever its size).
    public var ringSamples: Int
    /// The ring holds at most this many batches.
    public var ringBatches: Int

    /// Limits; the defaults hold the last minute, up to 500,000 samples (about 18 MB) or 4,096 batches, per tenant
    /// with a subscriber (and for a minute after its last one left, for reconnects).
    public init(ringMs: Int64 = 60_000, ringSamples: Int = 500_000, ringBatches: Int = 4_096) {
        self.ringMs = ringMs
        self.ringSamples = ringSamples
        self.ringBatches = ringBatches
    }
}
