import StrataCore

/// The resources and series of one batch while it is assembled from collector reports: the platform at
/// index 0, each reported resource below its parent, one point per reading.
///
/// A resource named by two reports of one batch (a late run's and the next run's) is listed once: the
/// later report's properties win when it carries any, and the points of both are kept, each at its own time.
struct BatchContents: Sendable {
    /// The resources so far; the platform first.
    private(set) var resources: [ResourceReport]
    /// The series so far.
    private(set) var series: [SeriesPoints]
    /// Index of each resource by parent index and key.
    private var indices: [String: Int] = [:]

    /// Contents starting with `resources` (the platform first) and `series`.
    init(resources: [ResourceReport], series: [SeriesPoints] = []) {
        self.resources = resources
        self.series = series
        for (index, resource) in resources.enumerated() { indices[Self.slot(resource.key, below: resource.parentIndex)] = index }
    }

    /// Adds one point at `timestampMs` per reading of `sink` to the resource at `index`.
    mutating func add(_ sink: MetricSink, to index: Int, at timestampMs: Int64) {
        for reading in sink.readings {
            series.append(SeriesPoints(resourceIndex: index, metric: reading.metric, type: reading.type, labels: reading.labels,
                                       points: [Sample(timestampMs, reading.value)]))
        }
    }

    /// Adds `resource`, and the resources below it, below the resource at `parent`, its readings as points at
    /// `timestampMs`. `properties` gets each resource's announcement key (its key, with its parent's for a
    /// resource deeper than the platform's children: one VM listed by two hypervisors has two) and property
    /// tree, and returns the tree to send, or nil to send none.
    mutating func add(_ resource: ReportedResource, below parent: Int, at timestampMs: Int64,
                      properties: (String, PropertyValue) -> PropertyValue?) {
        let announcement = parent == 0 ? resource.key : resource.key + "@" + resources[parent].key
        let sent = resource.properties.flatMap { properties(announcement, $0) }
        let slot = Self.slot(resource.key, below: parent)
        let index: Int
        if let known = indices[slot] {
            index = known
            if let sent { resources[index].properties = sent }
        } else {
            index = resources.count
            indices[slot] = index
            resources.append(ResourceReport(kind: resource.kind, key: resource.key, name: resource.name, parentIndex: parent, properties: sent))
        }
        add(resource.metrics, to: index, at: timestampMs)
        for child in resource.children { add(child, below: index, at: timestampMs, properties: properties) }
    }

    private static func slot(_ key: String, below parent: Int?) -> String {
        "\(parent ?? -1) \(key)"
    }
}
