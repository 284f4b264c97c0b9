/// One label of a series: a name and a value.
public struct Label: Hashable, Sendable, Codable {
    /// Label name, e.g. `mode`.
    public var name: String
    /// Label value, e.g. `idle`.
    public var value: String

    /// Creates a label.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A set of labels kept sorted by name, so equal sets compare and hash equal.
///
/// Invariant: `pairs` is sorted by name and names are unique (a later duplicate replaces an earlier one).
public struct Labels: Hashable, Sendable, Codable, ExpressibleByDictionaryLiteral {
    /// The labels, sorted by name.
    public private(set) var pairs: [Label]

    /// Creates a label set from pairs in any order.
    public init(_ pairs: [Label] = []) {
        var unique: [Label] = []
        unique.reserveCapacity(pairs.count) // exact: a series keeps its labels for life, growth slack would stay too
        for label in pairs.sorted(by: { $0.name < $1.name }) {
            if let last = unique.last, last.name == label.name {
                unique[unique.count - 1] = label
            } else {
                unique.append(label)
            }
        }
        self.pairs = unique
    }

    /// Creates a label set from pairs already sorted by name, each name once (an index rebuilding the sets it
    /// stored), without sorting them again.
    public init(sortedUnique pairs: [Label]) {
        self.pairs = pairs
    }

    /// Creates a label set from a dictionary literal: `["cpu": "0", "mode": "idle"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements.map { Label($0.0, $0.1) })
    }

    /// The value of label `name`, if present.
    public subscript(name: String) -> String? {
        pairs.first(where: { $0.name == name })?.value
    }

    /// Whether the set is empty.
    public var isEmpty: Bool { pairs.isEmpty }

    /// The set with label `name` set to `value` (replacing any earlier value).
    public func setting(_ name: String, _ value: String) -> Labels {
        Labels(pairs.filter { $0.name != name } + [Label(name, value)])
    }

    /// The set with only the labels `isIncluded` keeps. A subset of a sorted set is sorted, so nothing is sorted
    /// again (queries take subsets of 100k label sets at a time).
    public func filter(_ isIncluded: (Label) throws -> Bool) rethrows -> Labels {
        var kept = self
        kept.pairs = try pairs.filter(isIncluded)
        return kept
    }

    /// The set without Strata's internal labels (names starting `__` other than `__name__`), as shown to users.
    public var visible: Labels {
        guard let first = pairs.firstIndex(where: { !Labels.isVisible($0.name) }) else { return self }
        // A subset of a sorted set is sorted; one allocation of the exact size.
        var kept = self
        kept.pairs = []
        kept.pairs.reserveCapacity(pairs.count - 1)
        kept.pairs += pairs[..<first]
        for label in pairs[(first + 1)...] where Labels.isVisible(label.name) { kept.pairs.append(label) }
        return kept
    }

    /// Whether label `name` is shown to users: not internal (`__…`), except `__name__`.
    public static func isVisible(_ name: String) -> Bool {
        // Bytes, not `hasPrefix` (Unicode-aware and slow): this runs for every label of every series a query reads.
        var bytes = name.utf8.makeIterator()
        guard bytes.next() == UInt8(ascii: "_"), bytes.next() == UInt8(ascii: "_") else { return true }
        return name == metricName
    }

    /// The label holding a series' metric name, as in Prometheus.
    public static let metricName = "__name__"
    /// The longest label name or value accepted, in bytes: what the WAL and block indexes can hold
    /// (`BinaryReader.maxStringLength`), so nothing acknowledged is undecodable after a restart.
    public static let maxBytes = 1 << 16

    /// The internal label holding the tenant a series belongs to; every query is restricted by it.
    public static let tenant = "__tenant__"
}
