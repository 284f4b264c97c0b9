import StrataCore

/// Judges an import document on its own (no inventory needed): kinds, keys, containment, relations, placements,
/// times and values, limits. The first problem found is thrown as an `ImportError` naming its record; what passes
/// becomes an `ImportPlan` whose references `ImportPlan.resolve` then settles against the inventory.
public struct ImportValidator: Sendable {
    /// Limits on the document's size.
    public var limits: ImportLimits
    /// Samples and placements may not be older than this (Unix ms): the longest retention, behind which they would be
    /// deleted at once.
    public var oldestMs: Int64
    /// Samples may not be newer than this (Unix ms): the store's clock plus its tolerance.
    public var newestMs: Int64

    /// A validator accepting times in `oldestMs...newestMs`.
    public init(limits: ImportLimits = ImportLimits(), oldestMs: Int64, newestMs: Int64) {
        self.limits = limits
        self.oldestMs = oldestMs
        self.newestMs = newestMs
    }

    /// The kinds an import may create; `group` and `source` belong to other routes.
    public static let importableKinds: [ResourceKind] = [.platform, .hypervisor, .vm, .server, .service, .container, .application]

    /// The kinds a resource of `kind` may have as parent (containment, `ResourceKind`'s doc).
    public static func parentKinds(of kind: ResourceKind) -> Set<ResourceKind> {
        switch kind {
        case .platform: return [.vm]
        case .hypervisor, .container: return [.platform]
        case .vm: return [.hypervisor]
        case .server: return [.platform, .container]
        case .service: return [.server]
        case .application, .group, .source: return []
        }
    }

    /// The plan of `document`, or the first problem.
    public func validate(_ document: ImportDocument) throws(ImportError) -> ImportPlan {
        if let field = document.unknownFields.first {
            throw ImportError(record: "", reason: "unknown field \"\(field)\"; a document has version, resources, series, openmetrics and events")
        }
        if let version = document.version, version != 1 {
            throw ImportError(record: "version", reason: "version \(version) is not supported; this server reads version 1")
        }
        guard document.resources.count <= limits.resources else {
            throw ImportError(record: "resources", reason: "\(document.resources.count) resources, more than the \(limits.resources) one import may hold; split the document",
                              tooLarge: true)
        }
        let seriesCount = document.series.count
        guard seriesCount <= limits.series else {
            throw ImportError(record: "series", reason: "\(seriesCount) series, more than the \(limits.series) one import may hold; split the document", tooLarge: true)
        }
        let sampleCount = document.series.reduce(0) { $0 + $1.samples.count }
        guard sampleCount <= limits.samples else {
            throw ImportError(record: "series", reason: "\(sampleCount) samples, more than the \(limits.samples) one import may hold; split the document", tooLarge: true)
        }
        var resources: [ImportPlan.Resource] = []
        var byKey: [String: Int] = [:]
        for (index, resource) in document.resources.enumerated() {
            let planned = try self.resource(resource, index: index)
            if let earlier = byKey[planned.key] {
                throw ImportError(record: planned.record, reason: "duplicate key: resources[\(earlier)] has the same key; give each resource once")
            }
            byKey[planned.key] = index
            resources.append(planned)
        }
        var series: [ImportPlan.Series] = []
        var seen: [String: String] = [:]
        for (index, entry) in document.series.enumerated() {
            series.append(try self.series(entry, index: index))
        }
        for (index, block) in document.openmetrics.enumerated() {
            series += try OpenMetricsHistory.parse(block.text, resource: block.resource, record: "openmetrics[\(index)]", limits: limits)
        }
        guard series.count <= limits.series, series.reduce(0, { $0 + $1.samples.count }) <= limits.samples else {
            throw ImportError(record: "openmetrics", reason: "with the OpenMetrics text, more than \(limits.series) series or \(limits.samples) samples; split the document",
                              tooLarge: true)
        }
        for index in series.indices {
            let identity = series[index].resource + "\u{0}" + series[index].metric + "\u{0}" + series[index].labels.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{0}")
            if let earlier = seen[identity] {
                throw ImportError(record: series[index].record, reason: "duplicate series: \(earlier) has the same resource, metric and labels; merge their samples")
            }
            seen[identity] = series[index].record
            try checkSamples(series[index])
            if let first = series[index].samples.first?.timestampMs, let owner = byKey[series[index].resource] {
                resources[owner].earliestMs = min(resources[owner].earliestMs ?? first, first)
            }
        }
        guard document.events.count <= limits.series else {
            throw ImportError(record: "events", reason: "\(document.events.count) events, more than the \(limits.series) one import may hold; split the document",
                              tooLarge: true)
        }
        var events: [ImportPlan.Event] = []
        for (index, event) in document.events.enumerated() {
            let record = "events[\(index)]"
            try checkText(event.resource, "resource", record: record)
            try checkText(event.message, "message", record: record)
            guard let kind = Self.eventKinds[event.kind] else {
                throw ImportError(record: record, reason: "kind \"\(event.kind)\" is not one of \(Self.eventKinds.keys.sorted().joined(separator: ", "))")
            }
            guard let severity = EventSeverity(name: event.severity ?? "info") else {
                throw ImportError(record: record, reason: "severity \"\(event.severity ?? "")\" is not one of info, warning, error, critical")
            }
            events.append(ImportPlan.Event(record: record, resource: event.resource, kind: kind, timeMs: try time(event.time, field: "time", record: record),
                                           severity: severity, message: event.message))
        }
        var plan = ImportPlan(resources: resources, series: series)
        plan.events = events
        return plan
    }

    /// The kinds of event an import may carry: what agents report about a resource's past.
    static let eventKinds: [String: EventKind] = ["config-change": .configChange, "log": .log]

    private func resource(_ resource: ImportResource, index: Int) throws(ImportError) -> ImportPlan.Resource {
        let record = "resources[\(index)] (key \"\(resource.key.prefix(limits.textBytes))\")"
        if let field = resource.unknownFields.first {
            throw ImportError(record: record, reason: "unknown field \"\(field)\"; a resource has kind, key, name, parent, properties, relations and placements")
        }
        guard let kind = ResourceKind(rawValue: resource.kind) else {
            throw ImportError(record: record, reason: "unknown kind \"\(resource.kind.prefix(64))\"; one of \(Self.importableKinds.map(\.rawValue).joined(separator: ", "))")
        }
        guard Self.importableKinds.contains(kind) else {
            throw ImportError(record: record, reason: kind == .group ? "groups are not imported; create them with POST /api/v1/groups"
                              : "sources come from remote write and are not imported")
        }
        try checkText(resource.key, "key", record: record)
        try checkText(resource.name ?? resource.key, "name", record: record)
        if let parent = resource.parent { try checkText(parent, "parent", record: record) }
        var planned = ImportPlan.Resource(index: index, kind: kind, key: resource.key, name: resource.name ?? resource.key, parent: resource.parent,
                                          propertiesJSON: nil, relations: [], placements: [], earliestMs: nil)
        if let properties = resource.properties {
            guard case .map = properties else { throw ImportError(record: record, reason: "properties must be a JSON object") }
            let json = properties.json
            guard json.utf8.count <= limits.propertiesBytes else {
                throw ImportError(record: record, reason: "properties take \(json.utf8.count) bytes as JSON, more than \(limits.propertiesBytes)", tooLarge: true)
            }
            planned.propertiesJSON = json
        }
        guard resource.relations.count <= limits.perResource, resource.placements.count <= limits.perResource else {
            throw ImportError(record: record, reason: "more than \(limits.perResource) relations or placements", tooLarge: true)
        }
        for (position, relation) in resource.relations.enumerated() {
            let place = "\(record) relations[\(position)]"
            if let field = relation.unknownFields.first {
                throw ImportError(record: place, reason: "unknown field \"\(field)\"; a relation has kind, target and evidence")
            }
            try checkText(relation.target, "target", record: place)
            let relationKind = RelationKind(rawValue: relation.kind)
            switch relationKind {
            case .dependsOn:
                guard relation.target != resource.key else { throw ImportError(record: place, reason: "a resource cannot depend on itself") }
            case .runsIn:
                guard kind == .platform else { throw ImportError(record: place, reason: "only a platform (a guest) runs in a VM; this is a \(kind.rawValue)") }
                if let parent = planned.parent, parent != relation.target {
                    throw ImportError(record: place, reason: "runs-in \"\(relation.target)\" but the parent is \"\(parent)\"; a guest's parent is its VM")
                }
                planned.parent = relation.target
            default:
                throw ImportError(record: place, reason: "unknown relation kind \"\(relation.kind.prefix(64))\"; one of depends-on, runs-in")
            }
            if planned.relations.contains(where: { $0.kind == relationKind && $0.target == relation.target }) {
                throw ImportError(record: place, reason: "duplicate relation \(relation.kind) to \"\(relation.target)\"")
            }
            planned.relations.append(ImportPlan.Relation(kind: relationKind, target: relation.target, evidence: relation.evidence ?? "imported"))
        }
        if !resource.placements.isEmpty {
            guard kind == .vm else { throw ImportError(record: record, reason: "only a vm has placements; this is a \(kind.rawValue)") }
            planned.placements = try placements(resource.placements, record: record)
            let home = planned.placements[planned.placements.count - 1].hypervisor
            if let parent = planned.parent, parent != home {
                throw ImportError(record: record, reason: "parent \"\(parent)\" is not the hypervisor of the latest placement (\"\(home)\"); give one or make them agree")
            }
            planned.parent = home
            planned.earliestMs = planned.placements[0].fromMs
        }
        return planned
    }

    private func placements(_ given: [ImportPlacement], record: String) throws(ImportError) -> [ImportPlan.Placement] {
        var result: [ImportPlan.Placement] = []
        for (position, placement) in given.enumerated() {
            let place = "\(record) placements[\(position)]"
            if let field = placement.unknownFields.first {
                throw ImportError(record: place, reason: "unknown field \"\(field)\"; a placement has hypervisor, from and to")
            }
            try checkText(placement.hypervisor, "hypervisor", record: place)
            let from = try time(placement.from, field: "from", record: place)
            let to = try placement.to.map { time throws(ImportError) in try self.time(time, field: "to", record: place) }
            if let to, to <= from { throw ImportError(record: place, reason: "to must be after from") }
            guard max(from, to ?? from) <= newestMs else {
                throw ImportError(record: place, reason: "reaches into the future (after \(newestMs)); a placement says where a VM ran, not where it will")
            }
            if let last = result.last {
                guard let lastEnd = last.toMs else {
                    throw ImportError(record: place, reason: "placements[\(position - 1)] has no end; only the latest placement may be open")
                }
                guard from >= lastEnd else {
                    throw ImportError(record: place, reason: "starts before placements[\(position - 1)] ends; give placements oldest first, not overlapping")
                }
            }
            result.append(ImportPlan.Placement(hypervisor: placement.hypervisor, fromMs: from, toMs: to))
        }
        return result
    }

    private func series(_ series: ImportSeries, index: Int) throws(ImportError) -> ImportPlan.Series {
        let record = "series[\(index)]"
        try checkText(series.resource, "resource", record: record)
        guard MetricName.isValid(series.metric) else {
            throw ImportError(record: record, reason: "metric \"\(series.metric.prefix(64))\" is not a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
        }
        let type = try Self.metricType(series.type, record: record)
        let labels = try Self.labels(series.labels ?? [:], record: record, limits: limits)
        var samples: [Sample] = []
        samples.reserveCapacity(series.samples.count)
        for (position, sample) in series.samples.enumerated() {
            let place = "\(record) samples[\(position)]"
            guard !sample.malformed else { throw ImportError(record: place, reason: "a sample is a [time, value] pair, the time in Unix ms or RFC 3339") }
            guard let value = sample.value else {
                throw ImportError(record: place, reason: "value \"\((sample.text ?? "").prefix(64))\" is not a number")
            }
            samples.append(Sample(try time(sample.time, field: "time", record: place), value))
        }
        return ImportPlan.Series(record: record, resource: series.resource, metric: series.metric, type: type, labels: labels, samples: samples)
    }

    /// Strictly increasing times within bounds, finite values.
    func checkSamples(_ series: ImportPlan.Series) throws(ImportError) {
        var previous: Int64?
        for (position, sample) in series.samples.enumerated() {
            let place = "\(series.record) samples[\(position)]"
            guard sample.value.isFinite else {
                throw ImportError(record: place, reason: "value \(sample.value) is not finite; imported history takes finite numbers only (leave a gap instead)")
            }
            guard sample.timestampMs >= oldestMs else {
                throw ImportError(record: place, reason: "time \(sample.timestampMs) is older than \(oldestMs), the longest retention: it would be deleted at once")
            }
            guard sample.timestampMs <= newestMs else {
                throw ImportError(record: place, reason: "time \(sample.timestampMs) is in the future (after \(newestMs))")
            }
            if let previous, sample.timestampMs <= previous {
                throw ImportError(record: place, reason: sample.timestampMs == previous ? "duplicate time \(sample.timestampMs); give each time once"
                                  : "out of order: time \(sample.timestampMs) is before the previous sample's \(previous); give samples oldest first")
            }
            previous = sample.timestampMs
        }
    }

    private func time(_ time: ImportTime, field: String, record: String) throws(ImportError) -> Int64 {
        switch time.milliseconds {
        case .success(let ms): return ms
        case .failure(let error): throw ImportError(record: record, reason: "\(field): \(error.reason)")
        }
    }

    private func checkText(_ text: String, _ field: String, record: String) throws(ImportError) {
        guard !text.isEmpty else { throw ImportError(record: record, reason: "\(field) is empty") }
        guard text.utf8.count <= limits.textBytes else {
            throw ImportError(record: record, reason: "\(field) is \(text.utf8.count) bytes long, more than \(limits.textBytes)")
        }
    }

    static func metricType(_ name: String?, record: String) throws(ImportError) -> MetricType {
        guard let name else { return .gauge }
        guard let type = MetricType.allCases.first(where: { $0.name == name }) else {
            throw ImportError(record: record, reason: "unknown type \"\(name.prefix(64))\"; one of gauge, counter, histogram, summary")
        }
        return type
    }

    /// Labels Strata sets itself (tenant, resource, cross-layer) may not be imported.
    static let reservedLabels = Set(["resource_id", "resource_kind", "resource_name"])
        .union(CrossLayerDirectory.derivedNames)

    static func labels(_ given: [String: String], record: String, limits: ImportLimits) throws(ImportError) -> Labels {
        var pairs: [Label] = []
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard MetricName.isValidLabel(name), !name.hasPrefix("__") else {
                throw ImportError(record: record, reason: "label \"\(name.prefix(64))\" is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)")
            }
            guard !reservedLabels.contains(name) else {
                throw ImportError(record: record, reason: "label \"\(name)\" is set by Strata (\(reservedLabels.sorted().joined(separator: ", "))); rename it")
            }
            guard value.utf8.count <= limits.textBytes else {
                throw ImportError(record: record, reason: "label \"\(name)\" has a value longer than \(limits.textBytes) bytes")
            }
            pairs.append(Label(name, value))
        }
        return Labels(pairs)
    }
}
