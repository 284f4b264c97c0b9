import StrataCore

extension API {
    /// Labels as a JSON object in label-name order (`{"mode": "idle"}`).
    public struct LabelObject: Codable, Sendable, Equatable {
        public var labels: Labels

        public init(_ labels: Labels) { self.labels = labels }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Key.self)
            labels = Labels(try container.allKeys.map { Label($0.stringValue, try container.decode(String.self, forKey: $0)) })
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for label in labels.pairs { try container.encode(label.value, forKey: Key(stringValue: label.name)) }
        }
    }

    /// One sample as `[timestampMs, value]`; a value that is not finite travels as `"NaN"`, `"+Inf"` or `"-Inf"`.
    public struct Point: Codable, Sendable, Equatable {
        public var timestampMs: Int64
        public var value: Double

        public init(_ timestampMs: Int64, _ value: Double) {
            self.timestampMs = timestampMs
            self.value = value
        }

        public init(from decoder: any Decoder) throws {
            var container = try decoder.unkeyedContainer()
            timestampMs = try container.decode(Int64.self)
            if let number = try? container.decode(Double.self) {
                value = number
            } else {
                switch try container.decode(String.self) {
                case "+Inf": value = .infinity
                case "-Inf": value = -.infinity
                default: value = .nan
                }
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(timestampMs)
            if value.isFinite {
                try container.encode(value)
            } else {
                try container.encode(value.isNaN ? "NaN" : value > 0 ? "+Inf" : "-Inf")
            }
        }

        public static func == (lhs: Point, rhs: Point) -> Bool {
            lhs.timestampMs == rhs.timestampMs && lhs.value.bitPattern == rhs.value.bitPattern
        }
    }

    /// The samples of one series (`GET /api/v1/series/{id}/samples`).
    public struct SeriesSamples: Codable, Sendable, Equatable {
        public var series: Series
        public var samples: [Point]

        public init(series: Series, samples: [Point]) {
            self.series = series
            self.samples = samples
        }
    }

    /// The answer of a selector query (`GET /api/v1/query`).
    public struct QueryResult: Codable, Sendable, Equatable {
        /// `raw`, `1m` or `1h`: the data the answer was computed from.
        public var resolution: String
        public var stepMs: Int64
        /// The per-step function.
        public var fn: String
        public var series: [QuerySeries]

        public init(resolution: String, stepMs: Int64, fn: String, series: [QuerySeries]) {
            self.resolution = resolution
            self.stepMs = stepMs
            self.fn = fn
            self.series = series
        }
    }

    /// One series of a query answer.
    public struct QuerySeries: Codable, Sendable, Equatable {
        public var id: StableID
        public var labels: LabelObject
        public var points: [Point]

        public init(id: StableID, labels: LabelObject, points: [Point]) {
            self.id = id
            self.labels = labels
            self.points = points
        }
    }
}
