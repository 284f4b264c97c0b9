import StrataCore

/// An import document that passed `ImportValidator`: kinds, times and values judged, references still by key
/// (they may point into the inventory; `ImportPlan.resolve` settles them).
public struct ImportPlan: Sendable, Equatable {
    /// One resource to create or update.
    public struct Resource: Sendable, Equatable {
        /// `resources[N]`, for messages.
        public var index: Int
        public var kind: ResourceKind
        public var key: String
        public var name: String
        /// The parent's key: as given, or the VM a `runs-in` relation names, or a VM's latest placement.
        public var parent: String?
        /// Properties as compact JSON, nil when the document gives none (kept as stored then).
        public var propertiesJSON: String?
        public var relations: [Relation]
        public var placements: [Placement]
        /// The earliest time the document says anything about it (a placement or a sample), Unix ms.
        public var earliestMs: Int64?

        /// How messages name it: `resources[3] (key "crm-vm")`.
        public var record: String { "resources[\(index)] (key \"\(key)\")" }
    }

    /// A typed edge to the resource with key `target`.
    public struct Relation: Sendable, Equatable {
        public var kind: RelationKind
        public var target: String
        public var evidence: String
    }

    /// A VM's stay on the hypervisor with key `hypervisor`.
    public struct Placement: Sendable, Equatable {
        public var hypervisor: String
        public var fromMs: Int64
        public var toMs: Int64?
    }

    /// One series with its samples, in strictly increasing time order, all finite.
    public struct Series: Sendable, Equatable {
        /// `series[N]` or `openmetrics[N] series "name{…}"`, for messages.
        public var record: String
        /// The key of its resource.
        public var resource: String
        public var metric: String
        public var type: MetricType
        public var labels: Labels
        public var samples: [Sample]
    }

    /// An event with its resource's key.
    public struct Event: Sendable, Equatable {
        public var record: String
        public var resource: String
        public var kind: EventKind
        public var timeMs: Int64
        public var severity: EventSeverity
        public var message: String
    }

    public var resources: [Resource]
    public var series: [Series]
    public var events: [Event] = []

    /// Samples in all series.
    public var sampleCount: Int { series.reduce(0) { $0 + $1.samples.count } }
}

/// Why an import was refused: the record it concerns and what is wrong, e.g.
/// `resources[3] (key "crm-vm"): parent "host-9" is not in the document or the inventory`.
public struct ImportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The record, e.g. `resources[3] (key "crm-vm")`, `series[2] samples[17]`; empty for the document as a whole.
    public var record: String
    /// What is wrong and, where it helps, what to do.
    public var reason: String
    /// Whether the document is too large (413) rather than malformed (400).
    public var tooLarge = false

    /// An error.
    public init(record: String, reason: String, tooLarge: Bool = false) {
        self.record = record
        self.reason = reason
        self.tooLarge = tooLarge
    }

    public var description: String { record.isEmpty ? reason : "\(record): \(reason)" }
}

/// How much one import may hold; beyond, it is refused as too large (413) before anything is stored.
public struct ImportLimits: Sendable, Equatable {
    public var resources = 10_000
    public var series = 20_000
    public var samples = 5_000_000
    /// Relations or placements of one resource.
    public var perResource = 1_000
    /// Bytes of a key, a name, a label name or value.
    public var textBytes = 1_024
    /// Bytes of one resource's properties as JSON.
    public var propertiesBytes = 65_536

    /// The defaults.
    public init() {}
}
