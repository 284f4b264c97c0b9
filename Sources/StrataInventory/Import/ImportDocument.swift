import StrataCore

/// The JSON document `POST /api/v1/import` and `strata import FILE` take (docs/import.md): resources with their
/// natural keys, parents, properties, relations and VM placements over time, and historical series with explicit
/// timestamps. Decoding is lenient about what it cannot judge without context (a kind, a time, a value is kept
/// as given) so that `ImportValidator` can refuse it with a message naming the record; fields it does not know
/// are collected in `unknownFields` and refused there too.
public struct ImportDocument: Sendable, Codable, Equatable {
    /// The format's version; 1 (the only one) when absent.
    public var version: Int?
    /// The resources, parents and children in any order.
    public var resources: [ImportResource]
    /// Historical series, one entry per (resource, metric, labels).
    public var series: [ImportSeries]
    /// Historical series as OpenMetrics text with timestamps, per resource.
    public var openmetrics: [ImportOpenMetrics]
    /// Past events (configuration changes, log lines) of the resources.
    public var events: [ImportEvent] = []
    /// Top-level fields the format does not have.
    public var unknownFields: [String] = []

    /// A document.
    public init(version: Int? = 1, resources: [ImportResource] = [], series: [ImportSeries] = [], openmetrics: [ImportOpenMetrics] = []) {
        self.version = version
        self.resources = resources
        self.series = series
        self.openmetrics = openmetrics
    }

    /// The fields of a document.
    public enum CodingKeys: String, CodingKey, CaseIterable { case version, resources, series, openmetrics, events }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version)
        resources = try container.decodeIfPresent([ImportResource].self, forKey: .resources) ?? []
        series = try container.decodeIfPresent([ImportSeries].self, forKey: .series) ?? []
        openmetrics = try container.decodeIfPresent([ImportOpenMetrics].self, forKey: .openmetrics) ?? []
        events = try container.decodeIfPresent([ImportEvent].self, forKey: .events) ?? []
        unknownFields = try ImportField.unknown(in: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(version, forKey: .version)
        try container.encode(resources, forKey: .resources)
        if !series.isEmpty { try container.encode(series, forKey: .series) }
        if !openmetrics.isEmpty { try container.encode(openmetrics, forKey: .openmetrics) }
        if !events.isEmpty { try container.encode(events, forKey: .events) }
    }
}

/// A past event of a resource: a configuration change or a log line, at a time, with its message.
public struct ImportEvent: Sendable, Codable, Equatable {
    /// The key of its resource (in the document or the inventory).
    public var resource: String
    /// `config-change` or `log`.
    public var kind: String
    /// When it happened.
    public var time: ImportTime
    /// `info` (default), `warning`, `error` or `critical`.
    public var severity: String?
    /// What happened, in one line.
    public var message: String

    /// An event.
    public init(resource: String, kind: String, time: ImportTime, severity: String? = nil, message: String) {
        self.resource = resource
        self.kind = kind
        self.time = time
        self.severity = severity
        self.message = message
    }
}

/// One resource of an import document.
public struct ImportResource: Sendable, Codable, Equatable {
    /// A `ResourceKind` name (`platform`, `hypervisor`, `vm`, `server`, `service`, `container`, `application`).
    public var kind: String
    /// The natural key: with the kind, the resource's identity (the same key imports onto the same resource).
    /// Unique within a document; other records refer to the resource by it.
    public var key: String
    /// Display name; the key when absent.
    public var name: String?
    /// The key of the parent (in the document or already in the inventory).
    public var parent: String?
    /// Properties, any JSON object.
    public var properties: PropertyValue?
    /// Typed edges to other resources (`depends-on`, `runs-in`).
    public var relations: [ImportRelation]
    /// For a VM: which hypervisor it ran on, when (oldest first, not overlapping; only the last may be open).
    public var placements: [ImportPlacement]
    /// Fields the format does not have.
    public var unknownFields: [String] = []

    /// A resource.
    public init(kind: String, key: String, name: String? = nil, parent: String? = nil, properties: PropertyValue? = nil,
                relations: [ImportRelation] = [], placements: [ImportPlacement] = []) {
        self.kind = kind
        self.key = key
        self.name = name
        self.parent = parent
        self.properties = properties
        self.relations = relations
        self.placements = placements
    }

    /// The fields of a resource.
    public enum CodingKeys: String, CodingKey, CaseIterable { case kind, key, name, parent, properties, relations, placements }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        key = try container.decode(String.self, forKey: .key)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        parent = try container.decodeIfPresent(String.self, forKey: .parent)
        properties = try container.decodeIfPresent(PropertyValue.self, forKey: .properties)
        relations = try container.decodeIfPresent([ImportRelation].self, forKey: .relations) ?? []
        placements = try container.decodeIfPresent([ImportPlacement].self, forKey: .placements) ?? []
        unknownFields = try ImportField.unknown(in: decoder, known: CodingKeys.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(key, forKey: .key)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encodeIfPresent(parent, forKey: .parent)
        try container.encodeIfPresent(properties, forKey: .properties)
        if !relations.isEmpty { try container.encode(relations, forKey: .relations) }
        if !placements.isEmpty { try container.encode(placements, forKey: .placements) }
    }
}

/// A typed edge from the resource that lists it to `target`.
public struct ImportRelation: Sendable, Codable, Equatable {
    /// `depends-on` (any resource on another) or `runs-in` (a guest platform in a VM: the VM becomes its parent).
    public var kind: String
    /// The target's key.
    public var target: String
    /// What showed the edge; `imported` when absent.
    public var evidence: String?

    /// Fields the format does not have.
    public var unknownFields: [String] = []

    /// A relation.
    public init(kind: String, target: String, evidence: String? = nil) {
        self.kind = kind
        self.target = target
        self.evidence = evidence
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kind, target, evidence }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(String.self, forKey: .kind)
        target = try container.decode(String.self, forKey: .target)
        evidence = try container.decodeIfPresent(String.self, forKey: .evidence)
        unknownFields = try ImportField.unknown(in: decoder, known: CodingKeys.self)
    }
}

/// A VM's stay on a hypervisor: from `from` until `to` (absent: still there).
public struct ImportPlacement: Sendable, Codable, Equatable {
    /// The hypervisor's key.
    public var hypervisor: String
    /// Since when.
    public var from: ImportTime
    /// Until when (exclusive); absent while it is still there.
    public var to: ImportTime?

    /// Fields the format does not have.
    public var unknownFields: [String] = []

    /// A placement.
    public init(hypervisor: String, from: ImportTime, to: ImportTime? = nil) {
        self.hypervisor = hypervisor
        self.from = from
        self.to = to
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case hypervisor, from, to }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        hypervisor = try container.decode(String.self, forKey: .hypervisor)
        from = try container.decode(ImportTime.self, forKey: .from)
        to = try container.decodeIfPresent(ImportTime.self, forKey: .to)
        unknownFields = try ImportField.unknown(in: decoder, known: CodingKeys.self)
    }
}

/// One historical series of a resource.
public struct ImportSeries: Sendable, Codable, Equatable {
    /// The key of the resource it measures.
    public var resource: String
    /// Metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
    public var metric: String
    /// `gauge` (default), `counter`, `histogram` or `summary`.
    public var type: String?
    /// Labels within the resource.
    public var labels: [String: String]?
    /// `[time, value]` pairs in strictly increasing time order.
    public var samples: [ImportSample]

    /// A series.
    public init(resource: String, metric: String, type: String? = nil, labels: [String: String]? = nil, samples: [ImportSample]) {
        self.resource = resource
        self.metric = metric
        self.type = type
        self.labels = labels
        self.samples = samples
    }
}

/// OpenMetrics text whose every sample carries a timestamp (seconds), all of one resource.
public struct ImportOpenMetrics: Sendable, Codable, Equatable {
    /// The key of the resource the series measure.
    public var resource: String
    /// The exposition text.
    public var text: String

    /// A block.
    public init(resource: String, text: String) {
        self.resource = resource
        self.text = text
    }
}

/// Unknown-field detection for the document's objects.
enum ImportField {
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// The field names of the object `decoder` reads that `known` does not list, sorted.
    static func unknown<Key: CodingKey & CaseIterable>(in decoder: any Decoder, known: Key.Type) throws -> [String] {
        let names = Set(Key.allCases.map(\.stringValue))
        return try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue).filter { !names.contains($0) }.sorted()
    }
}
