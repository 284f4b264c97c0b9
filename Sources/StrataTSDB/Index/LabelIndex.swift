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
    func select(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> [StableID] {
        try selectLabelled(matchers, budget: budget).map(\.id)
    }

    /// The series matching every matcher with their labels, sorted by id.
    ///
    /// The matcher that rejects the empty value and has the fewest series in its postings (for a regex, the union
    /// over the label's matching values — disjoint lists, a series has one value per name) gives the candidates;
    /// every other matcher is checked on each candidate's labels. No set of ids is built: hashing 100k ids per
    /// matcher (the tenant's matcher holds every series of the tenant) took most of a selection.
    /// `budget` is checked every 32 values and every 256 candidates.
    func selectLabelled(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> [(id: StableID, labels: Labels)] {
        let selection = try plan(matchers, budget: budget)
        return try check(selection, range: selection.candidates.indices, budget: budget).sorted { $0.id < $1.id }
    }

    /// The candidates of a selection and the matchers still to check on them (`plan`).
    struct Selection: Sendable {
        var candidates: [StableID]
        var checked: [LabelMatcher]
    }

    /// The candidates of `matchers`: the postings of the narrowest matcher that rejects the empty value (every
    /// series when none does), and the other matchers, to be checked on each candidate by `check`.
    func plan(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> Selection {
        var narrowest: (position: Int, lists: [[StableID]], count: Int)?
        var work = 0
        for (position, matcher) in matchers.enumerated() where !matcher.matches("") {
            guard let values = postings[matcher.name] else { return Selection(candidates: [], checked: []) }
            var lists: [[StableID]] = []
            var count = 0
            if matcher.op == .equal {
                if let ids = values[matcher.value] { lists = [ids]; count = ids.count }
            } else {
                for (value, ids) in values {
                    work &+= 1
                    if work & 31 == 0 { try budget.check() }
                    if matcher.matches(value) { lists.append(ids); count += ids.count }
                }
            }
            if count == 0 { return Selection(candidates: [], checked: []) }
            if narrowest.map({ count < $0.count }) ?? true { narrowest = (position, lists, count) }
        }
        let checked = matchers.enumerated().filter { $0.offset != narrowest?.position }.map(\.element)
        guard let narrowest else { return Selection(candidates: Array(labels.keys), checked: checked) }
        return Selection(candidates: narrowest.lists.count == 1 ? narrowest.lists[0] : Array(narrowest.lists.joined()),
                         checked: checked)
    }

    /// The candidates in `range` of `selection` that every checked matcher accepts, with their labels, in
    /// candidate order.
    func check(_ selection: Selection, range: Range<Int>, budget: QueryBudget = .unlimited) throws(QueryError) -> [(id: StableID, labels: Labels)] {
        var found: [(id: StableID, labels: Labels)] = []
        found.reserveCapacity(range.count)
        let checked = selection.checked
        for (count, index) in range.enumerated() {
            if count & 255 == 255 { try budget.check() }
            let id = selection.candidates[index]
            guard let seriesLabels = labels[id] else { continue }
            if checked.allSatisfy({ $0.matches(seriesLabels) }) { found.append((id, seriesLabels)) }
        }
        return found
    }

    /// Label names in use, sorted.
    var names: [String] { postings.keys.sorted() }

    /// Values of label `name`, sorted.
    func values(of name: String) -> [String] { (postings[name]?.keys).map { $0.sorted() } ?? [] }
}
