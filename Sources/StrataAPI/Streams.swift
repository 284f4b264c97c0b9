import StrataCore

extension API {
    /// The `data:` of one `event: samples` of the sample stream (`GET /api/v1/stream`): the samples of one ingested
    /// batch that match the subscription, by series, in the order the batch carried them.
    public struct StreamSamples: Codable, Sendable, Equatable {
        public var series: [StreamSeries]

        public init(series: [StreamSeries]) { self.series = series }
    }

    /// The matching samples of one series within one batch. A series that a staleness marker ends (a scrape target
    /// gone, a series no longer exported) has `endedMs`, the marker's time, and no sample for the marker; samples of
    /// the same series after the marker in the same batch follow in an entry of their own.
    public struct StreamSeries: Codable, Sendable, Equatable {
        public var id: StableID
        /// The series' labels, internal ones (`__tenant__`) left out.
        public var labels: LabelObject
        /// `[timestampMs, value]` each; a value that is not finite is `"NaN"`, `"+Inf"` or `"-Inf"`.
        public var samples: [Point]
        /// When a staleness marker ended the series; null otherwise.
        public var endedMs: Int64?

        public init(id: StableID, labels: LabelObject, samples: [Point], endedMs: Int64? = nil) {
            self.id = id
            self.labels = labels
            self.samples = samples
            self.endedMs = endedMs
        }
    }

    /// `event: gap`: the stream resumed after the client's `Last-Event-ID`, but some batches published since are no
    /// longer held (the server keeps about the last 60 s), or the server restarted. What follows is complete again;
    /// what is missing can be read with `GET /api/v1/query`.
    public struct StreamGap: Codable, Sendable, Equatable {
        /// What happened, for people.
        public var reason: String
        /// The `Last-Event-ID` the client resumed from.
        public var lastEventId: String

        public init(reason: String, lastEventId: String) {
            self.reason = reason
            self.lastEventId = lastEventId
        }
    }

    /// `event: dropped` and `event: revoked`: why the server ends a stream before its `seconds` are up.
    public struct StreamEnd: Codable, Sendable, Equatable {
        public var reason: String

        public init(reason: String) { self.reason = reason }
    }
}
