import StrataCatalog
import StrataCore
import StrataInventory
import StrataPromQLEngine
import StrataTSDB

/// One tenant's series as PromQL and the Prometheus API see them (docs/prometheus.md "Cross-layer labels"): every
/// Strata series (one whose `resource_id` names a resource of the tenant) carries the labels the inventory derives
/// for its resource (`platform`, `vm`, on a hypervisor's own series `hypervisor` and `host`), and the info series
/// `strata_resource_info` and `strata_placement_info` are there beside the stored ones.
///
/// Both are made at query time from the catalog, never stored: series written before keep their history and get
/// the labels too, a guest matched to its VM today has `vm` over its whole past, and the placement series follow
/// the catalog's home history exactly, with nothing to backfill. Matchers on derived labels are answered by
/// selecting the resources whose derived labels match and reading their series by `resource_id`.
struct CrossLayerQuerier: Querier {
    /// The tenant's stored series.
    let base: TenantQuerier
    /// The tenant's directory, read from the catalog at most once per query and only when needed.
    let directory: DirectoryLoader

    /// Spacing of the samples made for info series: under the 5 min lookback, so they are found at every time
    /// they hold; like a series scraped every minute.
    static let cadenceMs: Int64 = 60_000
    /// Most synthesised samples one read may make (Prometheus's `--query.max-samples`).
    static let maxInfoSamples = 20_000_000
    /// Resource ids per `resource_id=~` matcher (a regular expression holds at most 4,096 bytes).
    static let idsPerMatcher = 200
    /// Most reads by resource id for one selector whose stored matchers narrow it too; beyond, one read by the stored
    /// matchers alone is cheaper.
    static let narrowingReads = 4

    /// The view of `base` with the directory of `catalog` for the same tenant.
    init(_ base: TenantQuerier, catalog: any Catalog) {
        self.base = base
        let tenant = base.tenant
        directory = DirectoryLoader { try await catalog.crossLayerDirectory(tenantID: tenant) }
    }

    func select(_ matchers: [LabelMatcher], budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        var found = try await resolve(matchers) { try await base.select($0, budget: budget).map { SelectedSeries(id: $0.id, labels: $0.labels, samples: []) } }
            .map { (id: $0.id, labels: $0.labels) }
        found += try await info(matchers, fromMs: nil, toMs: nil).map { ($0.id, $0.series.labels) }
        return found.sorted { $0.id < $1.id }
    }

    func select(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [(id: StableID, labels: Labels)] {
        var found = try await resolve(matchers) {
            try await base.select($0, fromMs: fromMs, toMs: toMs, budget: budget).map { SelectedSeries(id: $0.id, labels: $0.labels, samples: []) }
        }.map { (id: $0.id, labels: $0.labels) }
        found += try await info(matchers, fromMs: fromMs, toMs: toMs).map { ($0.id, $0.series.labels) }
        return found.sorted { $0.id < $1.id }
    }

    func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, newest: false)
    }

    func selectNewestSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget) async throws -> [SelectedSeries] {
        try await selectSamples(matchers, fromMs: fromMs, toMs: toMs, budget: budget, newest: true)
    }

    /// The stored series' samples and the info series' made ones, only each series' newest when `newest`.
    private func selectSamples(_ matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, budget: QueryBudget,
                               newest: Bool) async throws -> [SelectedSeries] {
        var found = try await resolve(matchers) {
            if newest { return try await base.selectNewestSamples($0, fromMs: fromMs, toMs: toMs, budget: budget) }
            return try await base.selectSamples($0, fromMs: fromMs, toMs: toMs, budget: budget)
        }
        let infos = try await info(matchers, fromMs: fromMs, toMs: toMs)
        var total = 0
        for item in infos {
            let count = item.series.sampleCount(fromMs: fromMs, toMs: toMs, cadenceMs: Self.cadenceMs)
            guard count <= Self.maxInfoSamples - total else {
                throw EngineError(.execution, "query processing would load too many samples into memory in query execution")
            }
            total += count
        }
        for item in infos {
            try budget.check()
            let samples = item.series.samples(fromMs: fromMs, toMs: toMs, cadenceMs: Self.cadenceMs)
            if !samples.isEmpty {
                let series = SelectedSeries(id: item.id, labels: item.series.labels, samples: samples)
                found.append(newest ? series.newest : series)
            }
        }
        // Usually the stored series alone, already in order: sorting would move every series' samples.
        if found.indices.dropFirst().allSatisfy({ found[$0 - 1].id < found[$0].id }) { return found }
        return found.sorted { $0.id < $1.id }
    }

    /// Raw samples of a stored series (info series have no id to read them by; PromQL reads them by selector).
    func samples(series: StableID, fromMs: Int64, toMs: Int64) async throws -> [Sample] {
        try await base.samples(series: series, fromMs: fromMs, toMs: toMs)
    }

    func labels(of series: StableID) async -> Labels? {
        guard let labels = await base.labels(of: series) else { return nil }
        guard labels["resource_id"] != nil, let directory = try? await directory.get() else { return labels }
        return directory.enriched(labels)
    }

    func labelNames(matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        if !needsDirectory(matchers) {
            let names = try await base.labelNames(matching: matchers, budget: budget)
            if !names.contains("resource_id") { return names }
        }
        var names = Set<String>()
        for series in try await select(matchers, budget: budget) {
            for label in series.labels.pairs { names.insert(label.name) }
        }
        return names.sorted()
    }

    func labelValues(_ name: String, matching matchers: [LabelMatcher], budget: QueryBudget) async throws -> [String] {
        if !needsDirectory(matchers), !CrossLayerDirectory.derivedNames.contains(name) {
            return try await base.labelValues(name, matching: matchers, budget: budget)
        }
        var values = Set<String>()
        for series in try await select(matchers, budget: budget) {
            if let value = series.labels[name] { values.insert(value) }
        }
        return values.sorted()
    }

    /// Range queries of the REST API read stored series only.
    func query(_ query: RangeQuery, budget: QueryBudget) async throws -> QueryResult {
        try await base.query(query, budget: budget)
    }

    /// Whether answering `matchers` needs the directory before reading: they name a derived label, or may select
    /// an info series.
    func needsDirectory(_ matchers: [LabelMatcher]) -> Bool {
        matchers.contains { CrossLayerDirectory.derivedNames.contains($0.name) } || !infoNames(matchers).isEmpty
    }

    /// The info metric names `matchers` select: only a selector with a `__name__` condition that admits them sees
    /// them (`strata_placement_info`, `{__name__=~"strata_.+"}`), so a selector naming no metric (`{platform="…"}`)
    /// and the name and label listings without `match[]` show what is stored, as Prometheus would.
    func infoNames(_ matchers: [LabelMatcher]) -> [String] {
        let names = matchers.filter { $0.name == Labels.metricName }
        guard !names.isEmpty else { return [] }
        return [CrossLayerDirectory.resourceInfo, CrossLayerDirectory.placementInfo].filter { name in
            names.allSatisfy { $0.matches(name) }
        }
    }

    /// The stored series `matchers` select once derived labels are added: read with `fetch` (the base querier's
    /// call for the matchers it is given), labelled, and filtered.
    func resolve(_ matchers: [LabelMatcher], fetch: ([LabelMatcher]) async throws -> [SelectedSeries]) async throws -> [SelectedSeries] {
        let derived = matchers.filter { CrossLayerDirectory.derivedNames.contains($0.name) }
        if derived.isEmpty {
            let found = try await fetch(matchers)
            guard found.contains(where: { $0.labels["resource_id"] != nil }) else { return found }
            let directory = try await directory.get()
            return found.map { $0.relabelled(directory.enriched($0.labels)) }
        }
        let directory = try await directory.get()
        let stored = matchers.filter { !CrossLayerDirectory.derivedNames.contains($0.name) }
        let ids = Self.candidateIDs(derived, in: directory)
        var candidates: [SelectedSeries]
        if stored.contains(where: { !$0.matches("") }), ids.count > Self.idsPerMatcher * Self.narrowingReads {
            // The derived labels leave too many resources to name: the stored matchers alone narrow the read.
            candidates = try await fetch(stored)
        } else {
            // The series of the resources whose derived labels can match (so a read of `x{vm="web-1"}` holds only
            // that VM's samples, not the whole tenant's), and the series that store labels of those names themselves
            // (not Strata's).
            candidates = []
            for chunk in ids.chunked(Self.idsPerMatcher) {
                let ids = try LabelMatcher("resource_id", .matchesRegex, chunk.joined(separator: "|"))
                candidates += try await fetch(stored + [ids])
            }
            var seen = Set(candidates.map(\.id))
            candidates += try await fetch(matchers).filter { seen.insert($0.id).inserted }
        }
        return candidates.map { $0.relabelled(directory.enriched($0.labels)) }.filter { row in
            matchers.allSatisfy { $0.matches(row.labels) }
        }
    }

    /// The resources whose series may satisfy every one of `derived`: those whose derived label satisfies it, or
    /// which have no derived label of that name (then a stored one decides).
    static func candidateIDs(_ derived: [LabelMatcher], in directory: CrossLayerDirectory) -> [String] {
        directory.resourceIDs.filter { id in
            let labels = directory.derived[id] ?? []
            return derived.allSatisfy { matcher in
                guard let value = labels.first(where: { $0.name == matcher.name })?.value else { return true }
                return matcher.matches(value)
            }
        }.sorted()
    }

    /// The info series `matchers` select that hold within `fromMs...toMs` (any time when nil), with stable ids.
    func info(_ matchers: [LabelMatcher], fromMs: Int64?, toMs: Int64?) async throws -> [(id: StableID, series: InfoSeries)] {
        let names = infoNames(matchers)
        guard !names.isEmpty else { return [] }
        let directory = try await directory.get()
        return directory.infoSeries.filter { series in
            names.contains(series.labels[Labels.metricName] ?? "") && matchers.allSatisfy { $0.matches(series.labels) }
                && series.overlaps(fromMs: fromMs ?? .min, toMs: toMs ?? .max)
        }.map { series in
            (StableID(parts: ["strata-info", base.tenant] + series.labels.pairs.flatMap { [$0.name, $0.value] }), series)
        }
    }
}

/// A tenant's `CrossLayerDirectory`, loaded on first use and kept for the rest of one query.
actor DirectoryLoader {
    private let load: @Sendable () async throws -> CrossLayerDirectory
    private var loaded: CrossLayerDirectory?

    /// A loader calling `load` once.
    init(_ load: @escaping @Sendable () async throws -> CrossLayerDirectory) {
        self.load = load
    }

    /// The directory.
    func get() async throws -> CrossLayerDirectory {
        if let loaded { return loaded }
        let directory = try await load()
        loaded = directory
        return directory
    }
}

extension SelectedSeries {
    /// The series with `labels` instead of its own.
    func relabelled(_ labels: Labels) -> SelectedSeries {
        SelectedSeries(id: id, labels: labels, samples: samples)
    }
}

extension Array {
    /// The elements in consecutive runs of at most `size`.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
