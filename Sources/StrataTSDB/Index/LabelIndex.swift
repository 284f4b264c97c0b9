import StrataCore

/// Every known series' labels, with postings (label name → value → series) to answer matchers.
///
/// Each series gets a dense number when it is added (0, 1, 2, …): labels live in an array by number and postings
/// list numbers, ascending, so a selection reads arrays and tests bits instead of hashing ids. Series are added
/// once and never removed (a series whose blocks all expired stays selectable and simply has no samples). A value
/// type: queries match against a copy taken from the engine actor, off the actor (the copy shares storage until
/// the actor next adds a series).
struct LabelIndex: Sendable {
    /// Series ids by number.
    private(set) var ids: [StableID] = []
    /// Every distinct name and value, by symbol number, and the number of each.
    private var symbols: [String] = []
    private var symbolNumbers: [String: UInt32] = [:]
    /// Every series' labels as symbol numbers (name, value, name, value, …), one series after another, sorted by
    /// name: 8 bytes a label where an array of `Label`s per series took 32 and a header (about 200 bytes a series
    /// of five labels, 17 MB at 100k series). `Labels` are built when a caller asks for them.
    private var labelNumbers: [UInt32] = []
    /// Where the pairs of series number n start in `labelNumbers`: entry n, ending at entry n + 1.
    private var labelStarts: [Int] = [0]
    private var numbers = DenseIDTable()
    private var postings: [String: [String: [UInt32]]] = [:]

    /// Number of indexed series.
    var count: Int { ids.count }

    /// The labels of `id`, when it is indexed.
    func labels(of id: StableID) -> Labels? { number(of: id).map { labels(at: $0) } }

    /// The labels of series number `number`.
    private func labels(at number: Int) -> Labels {
        labelNumbers.withUnsafeBufferPointer { pairs in
            symbols.withUnsafeBufferPointer { symbols in Self.labels(pairs, symbols, labelStarts[number], labelStarts[number + 1]) }
        }
    }

    /// The labels whose symbol-number pairs are `pairs[start..<end]`.
    @inline(__always)
    private static func labels(_ pairs: UnsafeBufferPointer<UInt32>, _ symbols: UnsafeBufferPointer<String>,
                               _ start: Int, _ end: Int) -> Labels {
        var labels: [Label] = []
        labels.reserveCapacity((end - start) / 2)
        var index = start
        while index < end {
            labels.append(Label(symbols[Int(pairs[index])], symbols[Int(pairs[index + 1])]))
            index += 2
        }
        return Labels(sortedUnique: labels)
    }

    /// The number of `id`, when it is indexed.
    private func number(of id: StableID) -> Int? { numbers.number(of: id) { ids[$0] } }

    /// The symbol number of `string`, given one on first sight, and the index's copy of it: the index keeps one
    /// copy of each name and value (thousands of series repeat the same metric names and label values).
    private mutating func symbol(_ string: String) -> (number: UInt32, interned: String) {
        if let known = symbolNumbers.index(forKey: string) { return (symbolNumbers[known].value, symbolNumbers[known].key) }
        let next = UInt32(symbols.count)
        symbols.append(string)
        symbolNumbers[string] = next
        return (next, string)
    }

    /// Indexes `id` unless it is known already or has no labels.
    mutating func add(_ id: StableID, _ seriesLabels: Labels) {
        guard !seriesLabels.isEmpty, number(of: id) == nil else { return }
        let next = UInt32(ids.count)
        for label in seriesLabels.pairs {
            let name = symbol(label.name)
            let value = symbol(label.value)
            labelNumbers.append(name.number)
            labelNumbers.append(value.number)
            postings[name.interned, default: [:]][value.interned, default: []].append(next)
        }
        labelStarts.append(labelNumbers.count)
        ids.append(id)
        numbers.append(id) { ids[$0] }
    }

    /// The series matching every matcher, sorted by id.
    func select(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> [StableID] {
        try selectLabelled(matchers, budget: budget).map(\.id)
    }

    /// The series matching every matcher with their labels, sorted by id (`plan`, then `check`).
    func selectLabelled(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> [(id: StableID, labels: Labels)] {
        let selection = try plan(matchers, budget: budget)
        return try check(selection, range: selection.candidates.indices, budget: budget).sorted { $0.id < $1.id }
    }

    /// The candidates of a selection (series numbers), the series the bitset filters allow (every one when
    /// `constrained` is false) and the matchers still to check on the candidates' labels.
    struct Selection: Sendable {
        var candidates: [UInt32]
        var allowed = SeriesBitset(count: 0)
        var constrained = false
        var matchers: [LabelMatcher] = []

        /// The selection of nothing.
        static let empty = Selection(candidates: [])

        /// `filter` added to what the candidates must pass; false when nothing can.
        mutating func add(_ filter: SelectionFilter, seriesCount: Int) -> Bool {
            switch filter {
            case .everything: return true
            case .nothing: return false
            case .matcher(let matcher): matchers.append(matcher)
            case .inside(let bits):
                if constrained { allowed.formIntersection(bits) } else { allowed = bits }
                constrained = true
            case .outside(let bits):
                if !constrained { allowed = SeriesBitset(filled: seriesCount) }
                allowed.subtract(bits)
                constrained = true
            }
            return true
        }
    }

    /// The candidates of `matchers`: the postings of the narrowest matcher that rejects the empty value (every
    /// series when none does). Each other matcher becomes a filter: a bitset built from its postings when they
    /// are few beside the candidates (`SelectionFilter.postingsPerCandidate`), else the matcher itself, checked on
    /// each candidate's labels. `budget` is checked every 32 values and every 4,096 postings.
    func plan(_ matchers: [LabelMatcher], budget: QueryBudget = .unlimited) throws(QueryError) -> Selection {
        var narrowest: (position: Int, lists: [[UInt32]], count: Int)?
        var work = 0
        for (position, matcher) in matchers.enumerated() where !matcher.matches("") {
            let (lists, count) = try postingsLists(matcher, accepted: true, work: &work, budget: budget)
            if count == 0 { return .empty }
            if narrowest.map({ count < $0.count }) ?? true { narrowest = (position, lists, count) }
        }
        var selection: Selection
        if let narrowest {
            // Lists of distinct values are disjoint: a series has one value per name.
            selection = Selection(candidates: narrowest.lists.count == 1 ? narrowest.lists[0] : Array(narrowest.lists.joined()))
        } else {
            selection = Selection(candidates: Array(0..<UInt32(ids.count)))
        }
        for (position, matcher) in matchers.enumerated() where position != narrowest?.position {
            let filter = try filter(matcher, candidates: selection.candidates.count, work: &work, budget: budget)
            if !selection.add(filter, seriesCount: ids.count) { return .empty }
        }
        return selection
    }

    /// The filter of `matcher` for a selection of `candidates` series: a bitset when its postings (and, for a
    /// regular expression, the values to match) are few beside the candidates, else the matcher itself.
    private func filter(_ matcher: LabelMatcher, candidates: Int, work: inout Int, budget: QueryBudget) throws(QueryError) -> SelectionFilter {
        // A matcher that accepts "" also accepts series without the label: those are kept unless in the postings
        // of a rejected value.
        let acceptsEmpty = matcher.matches("")
        guard let values = postings[matcher.name] else { return acceptsEmpty ? .everything : .nothing }
        let limit = candidates &* SelectionFilter.postingsPerCandidate
        let lists: [[UInt32]]
        if matcher.op == .equal || matcher.op == .notEqual, !matcher.value.isEmpty {
            // `=` keeps the value's series, `!=` drops them: one list either way.
            let list = values[matcher.value] ?? []
            guard list.count <= limit else { return .matcher(matcher) }
            lists = [list]
        } else {
            guard values.count <= candidates else { return .matcher(matcher) }
            var total = 0
            for list in values.values {
                total &+= list.count
                if total > limit { return .matcher(matcher) }
            }
            lists = try postingsLists(matcher, accepted: !acceptsEmpty, work: &work, budget: budget).lists
        }
        var bits = SeriesBitset(count: ids.count)
        for list in lists {
            for number in list {
                work &+= 1
                if work & 4095 == 0 { try budget.check() }
                bits.insert(number)
            }
        }
        return acceptsEmpty ? .outside(bits) : .inside(bits)
    }

    /// The postings of the values of `matcher`'s label that it accepts (or, with `accepted` false, rejects), and
    /// their total count.
    private func postingsLists(_ matcher: LabelMatcher, accepted: Bool, work: inout Int,
                               budget: QueryBudget) throws(QueryError) -> (lists: [[UInt32]], count: Int) {
        guard let values = postings[matcher.name] else { return ([], 0) }
        if matcher.op == .equal, accepted {
            guard let list = values[matcher.value] else { return ([], 0) }
            return ([list], list.count)
        }
        var lists: [[UInt32]] = []
        var count = 0
        for (value, list) in values {
            work &+= 1
            if work & 31 == 0 { try budget.check() }
            if matcher.matches(value) == accepted { lists.append(list); count += list.count }
        }
        return (lists, count)
    }

    /// The candidates in `range` of `selection` that pass every filter, with their labels, in candidate order.
    /// Read through buffer pointers: two cores retaining the same arrays for every candidate contended for them.
    func check(_ selection: Selection, range: Range<Int>, budget: QueryBudget = .unlimited) throws(QueryError) -> [(id: StableID, labels: Labels)] {
        var found: [(id: StableID, labels: Labels)] = []
        found.reserveCapacity(range.count)
        let matchers = selection.matchers
        let constrained = selection.constrained
        var stopped: QueryError?
        // Each matcher still to check, with the symbol number of its label name (nil: no series has that name).
        let checks = matchers.map { (matcher: $0, name: symbolNumbers[$0.name]) }
        selection.candidates.withUnsafeBufferPointer { candidates in
            ids.withUnsafeBufferPointer { ids in
                labelNumbers.withUnsafeBufferPointer { pairs in
                    symbols.withUnsafeBufferPointer { symbols in
                        labelStarts.withUnsafeBufferPointer { starts in
                            selection.allowed.withWords { allowed in
                                for index in range {
                                    if index & 1023 == 1023 {
                                        do throws(QueryError) { try budget.check() } catch {
                                            stopped = error
                                            return
                                        }
                                    }
                                    let number = Int(candidates[index])
                                    if constrained, !SeriesBitset.contains(number, in: allowed) { continue }
                                    let start = starts[number], end = starts[number + 1]
                                    if !checks.allSatisfy({ check in
                                        Self.matches(check.matcher, name: check.name, pairs, symbols, start, end)
                                    }) { continue }
                                    found.append((ids[number], Self.labels(pairs, symbols, start, end)))
                                }
                            }
                        }
                    }
                }
            }
        }
        if let stopped { throw stopped }
        return found
    }

    /// Whether the series whose pairs are `pairs[start..<end]` passes `matcher`, whose name is symbol `name`.
    @inline(__always)
    private static func matches(_ matcher: LabelMatcher, name: UInt32?, _ pairs: UnsafeBufferPointer<UInt32>,
                                _ symbols: UnsafeBufferPointer<String>, _ start: Int, _ end: Int) -> Bool {
        if let name {
            var index = start
            while index < end {
                if pairs[index] == name { return matcher.matches(symbols[Int(pairs[index + 1])]) }
                index += 2
            }
        }
        return matcher.matches("")
    }

    /// Label names in use, sorted.
    var names: [String] { postings.keys.sorted() }

    /// Values of label `name`, sorted.
    func values(of name: String) -> [String] { (postings[name]?.keys).map { $0.sorted() } ?? [] }
}
