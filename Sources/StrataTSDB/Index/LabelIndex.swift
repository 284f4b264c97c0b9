import StrataCore

/// Every known series' labels, with postings (label name → value → series) to answer matchers.
///
/// Series are added once and never removed (a series whose blocks all expired stays selectable and simply
/// has no samples). Not `Sendable`: owned by the engine actor.
struct LabelIndex {
    private(set) var labels: [StableID: Labels] = [:]
    private var postings: [String: [String: [StableID]]] = [:]

    /// Number of indexed series.
    var count: Int { labels.count }

    /// Indexes `id` unless it is known already or has no labels.
    mutating func add(_ id: StableID, _ seriesLabels: Labels) {
        guard !seriesLabels.isEmpty, labels[id] == nil else { return }
        labels[id] = seriesLabels
        for label in seriesLabels.pairs { postings[label.name, default: [:]][label.value, default: []].append(id) }
    }

    /// The series matching every matcher, sorted by id.
    ///
    /// Matchers that reject the empty value narrow the candidates through postings (union over the
    /// label's matching values, intersected smallest first); the others are checked on each candidate.
    func select(_ matchers: [LabelMatcher]) -> [StableID] {
        var sets: [Set<StableID>] = []
        var remaining: [CompiledMatcher] = []
        for matcher in matchers.map({ $0.compiled() }) {
            guard !matcher.matches("") else {
                remaining.append(matcher)
                continue
            }
            guard let values = postings[matcher.matcher.name] else { return [] }
            var set = Set<StableID>()
            if matcher.matcher.op == .equal {
                set.formUnion(values[matcher.matcher.value] ?? [])
            } else {
                for (value, ids) in values where matcher.matches(value) { set.formUnion(ids) }
            }
            if set.isEmpty { return [] }
            sets.append(set)
        }
        var candidates: [StableID]
        if sets.isEmpty {
            candidates = Array(labels.keys)
        } else {
            sets.sort { $0.count < $1.count }
            var result = sets[0]
            for set in sets.dropFirst() { result.formIntersection(set) }
            candidates = Array(result)
        }
        if !remaining.isEmpty {
            candidates = candidates.filter { id in
                let seriesLabels = labels[id]!
                return remaining.allSatisfy { $0.matches(seriesLabels) }
            }
        }
        return candidates.sorted()
    }

    /// Label names in use, sorted.
    var names: [String] { postings.keys.sorted() }

    /// Values of label `name`, sorted.
    func values(of name: String) -> [String] { (postings[name]?.keys).map { $0.sorted() } ?? [] }
}
