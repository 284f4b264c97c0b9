import StrataCore

/// Every known series' labels, with postings (label name → value → series) to answer matchers.
///
/// Series are added once and never removed (a series whose blocks all expired stays selectable and simply
/// has no samples). A value type: queries match against a copy taken from the engine actor, off the actor
/// (the copy shares storage until the actor next adds a series).
struct LabelIndex: Sendable {
    private(set) var labels: [StableID: Labels] = [:]
    private var postings: [String: [String: [StableID]]] = [:]

    /// Number of indexed series.
    var count: Int { labels.count }

    /// Indexes `id` unless it is known already or has no labels; returns the labels as indexed, their
    /// names and values sharing the storage of equal strings already in the index (thousands of series
    /// repeat the same metric names and label values, so the head keeps one copy of each).
    @discardableResult
    mutating func add(_ id: StableID, _ seriesLabels: Labels) -> Labels {
        guard !seriesLabels.isEmpty else { return seriesLabels }
        if let known = labels[id] { return known }
        var interned: [Label] = []
        interned.reserveCapacity(seriesLabels.pairs.count)
        for label in seriesLabels.pairs {
            var name = label.name
            var value = label.value
            if let index = postings.index(forKey: name) {
                name = postings[index].key
                if let valueIndex = postings[index].value.index(forKey: value) { value = postings[index].value[valueIndex].key }
            }
            interned.append(Label(name, value))
            postings[name, default: [:]][value, default: []].append(id)
        }
        let indexed = Labels(interned)
        labels[id] = indexed
        return indexed
    }

    /// The series matching every matcher, sorted by id.
    ///
    /// Matchers that reject the empty value narrow the candidates through postings (union over the
    /// label's matching values, intersected smallest first); the others are checked on each candidate.
    /// `budget` is checked every 32 values or candidates.
    func select(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> [StableID] {
        var sets: [Set<StableID>] = []
        var remaining: [LabelMatcher] = []
        var work = 0
        for matcher in matchers {
            guard !matcher.matches("") else {
                remaining.append(matcher)
                continue
            }
            guard let values = postings[matcher.name] else { return [] }
            var set = Set<StableID>()
            if matcher.op == .equal {
                set.formUnion(values[matcher.value] ?? [])
            } else {
                for (value, ids) in values {
                    work &+= 1
                    if work & 31 == 0 { try budget.check() }
                    if matcher.matches(value) { set.formUnion(ids) }
                }
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
            var kept: [StableID] = []
            for id in candidates {
                work &+= 1
                if work & 31 == 0 { try budget.check() }
                let seriesLabels = labels[id]!
                if remaining.allSatisfy({ $0.matches(seriesLabels) }) { kept.append(id) }
            }
            candidates = kept
        }
        return candidates.sorted()
    }

    /// Label names in use, sorted.
    var names: [String] { postings.keys.sorted() }

    /// Values of label `name`, sorted.
    func values(of name: String) -> [String] { (postings[name]?.keys).map { $0.sorted() } ?? [] }
}
