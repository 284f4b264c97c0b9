import StrataCore

/// The tenant's inventory as an import's references need it: every resource's id, kind, natural key, name and parent.
public struct ImportInventory: Sendable {
    /// One resource already in the inventory.
    public struct Known: Sendable, Equatable {
        public var id: String
        public var kind: ResourceKind
        public var key: String
        public var name: String
        public var parentID: String?

        /// A resource.
        public init(id: String, kind: ResourceKind, key: String, name: String, parentID: String?) {
            self.id = id
            self.kind = kind
            self.key = key
            self.name = name
            self.parentID = parentID
        }
    }

    let byKey: [String: [Known]]
    let byID: [String: Known]

    /// The inventory of `resources`.
    public init(_ resources: [Known]) {
        var byKey: [String: [Known]] = [:]
        var byID: [String: Known] = [:]
        for resource in resources {
            byKey[resource.key, default: []].append(resource)
            byID[resource.id] = resource
        }
        self.byKey = byKey
        self.byID = byID
    }

    /// The resource with id `id`, if known.
    public func resource(id: String) -> Known? { byID[id] }
}

/// An import plan with every reference settled: resource ids, parents, relation targets, placement hypervisors,
/// and each series' resource.
public struct ResolvedImport: Sendable, Equatable {
    /// A resource of the document as it is to be stored.
    public struct Resource: Sendable, Equatable {
        public var id: String
        public var kind: ResourceKind
        public var key: String
        public var name: String
        public var parentID: String?
        /// The platform it is or runs on (nil: none above it), as agents' resources record it.
        public var platformID: String?
        public var propertiesJSON: String?
        public var earliestMs: Int64?
        public var relations: [(kind: RelationKind, targetID: String, evidence: String)]
        public var placements: [HomeSpan]

        public static func == (lhs: Resource, rhs: Resource) -> Bool {
            lhs.id == rhs.id && lhs.parentID == rhs.parentID && lhs.name == rhs.name && lhs.propertiesJSON == rhs.propertiesJSON
                && lhs.placements == rhs.placements && lhs.relations.map(\.targetID) == rhs.relations.map(\.targetID)
        }
    }

    /// A series with the resource it belongs to.
    public struct Series: Sendable, Equatable {
        public var id: StableID
        public var resourceID: String
        public var resourceKind: ResourceKind
        public var resourceName: String
        public var metric: String
        public var type: MetricType
        public var labels: Labels
        public var samples: [Sample]
    }

    /// An event with its resource's id.
    public struct Event: Sendable, Equatable {
        public var resourceID: String
        public var kind: EventKind
        public var timeMs: Int64
        public var severity: EventSeverity
        public var message: String
    }

    public var resources: [Resource]
    public var series: [Series]
    public var events: [Event] = []
}

extension ImportPlan {
    /// Settles every reference of the plan for tenant `tenantID`: a key names a resource of the document, else one of
    /// `inventory` (refused when several kinds share it). Refuses unknown keys, parents of a kind the child cannot
    /// sit under, relation targets of the wrong kind, and cycles in the parent chain (which `runs-in` is part of).
    public func resolve(tenantID: String, inventory: ImportInventory) throws(ImportError) -> ResolvedImport {
        var documentByKey: [String: (id: String, kind: ResourceKind, name: String)] = [:]
        for resource in resources {
            documentByKey[resource.key] = (StableID.resource(tenant: tenantID, kind: resource.kind, key: resource.key).description, resource.kind, resource.name)
        }
        func lookup(_ key: String, _ role: String, record: String) throws(ImportError) -> (id: String, kind: ResourceKind, name: String) {
            if let found = documentByKey[key] { return found }
            let known = inventory.byKey[key] ?? []
            guard let first = known.first else {
                throw ImportError(record: record, reason: "\(role) \"\(key)\" is not in the document or the inventory")
            }
            guard known.count == 1 else {
                throw ImportError(record: record, reason: "\(role) \"\(key)\" names \(known.count) resources in the inventory (\(known.map(\.kind.rawValue).sorted().joined(separator: ", "))); add the one meant to the document")
            }
            return (first.id, first.kind, first.name)
        }
        var resolved: [ResolvedImport.Resource] = []
        var parents: [String: String?] = [:]
        for resource in resources {
            let id = documentByKey[resource.key]!.id
            var parentID: String?
            if let parent = resource.parent {
                let found = try lookup(parent, "parent", record: resource.record)
                guard ImportValidator.parentKinds(of: resource.kind).contains(found.kind) else {
                    let allowed = ImportValidator.parentKinds(of: resource.kind).map(\.rawValue).sorted()
                    throw ImportError(record: resource.record, reason: "parent \"\(parent)\" is a \(found.kind.rawValue); a \(resource.kind.rawValue) sits under "
                                      + (allowed.isEmpty ? "nothing" : allowed.joined(separator: " or ")))
                }
                parentID = found.id
            }
            parents[id] = parentID
            var relations: [(kind: RelationKind, targetID: String, evidence: String)] = []
            for (position, relation) in resource.relations.enumerated() {
                let target = try lookup(relation.target, "target", record: "\(resource.record) relations[\(position)]")
                if relation.kind == .runsIn, target.kind != .vm {
                    throw ImportError(record: "\(resource.record) relations[\(position)]", reason: "runs-in \"\(relation.target)\" is a \(target.kind.rawValue), not a vm")
                }
                relations.append((relation.kind, target.id, relation.evidence))
            }
            // A guest under a VM runs in it, as guest matching records it (relation and parent together).
            if resource.kind == .platform, let parentID, !relations.contains(where: { $0.kind == .runsIn }) {
                relations.append((.runsIn, parentID, "imported"))
            }
            var spans: [HomeSpan] = []
            for (position, placement) in resource.placements.enumerated() {
                let hypervisor = try lookup(placement.hypervisor, "hypervisor", record: "\(resource.record) placements[\(position)]")
                guard hypervisor.kind == .hypervisor else {
                    throw ImportError(record: "\(resource.record) placements[\(position)]", reason: "\"\(placement.hypervisor)\" is a \(hypervisor.kind.rawValue), not a hypervisor")
                }
                spans.append(HomeSpan(vmID: id, hypervisorID: hypervisor.id, fromMs: placement.fromMs, toMs: placement.toMs))
            }
            resolved.append(ResolvedImport.Resource(id: id, kind: resource.kind, key: resource.key, name: resource.name, parentID: parentID, platformID: nil,
                                                    propertiesJSON: resource.propertiesJSON, earliestMs: resource.earliestMs, relations: relations,
                                                    placements: spans))
        }
        let kinds = Dictionary(resolved.map { ($0.id, $0.kind) }, uniquingKeysWith: { first, _ in first })
        func parent(of id: String) -> String? {
            if let given = parents[id] { return given }
            return inventory.byID[id]?.parentID
        }
        func kind(of id: String) -> ResourceKind? { kinds[id] ?? inventory.byID[id]?.kind }
        for index in resolved.indices {
            // Walk up: a cycle returns to a resource already passed; the platform found first is the resource's own.
            var seen: Set<String> = [resolved[index].id]
            var cursor: String? = resolved[index].id
            while let current = cursor {
                if resolved[index].platformID == nil, kind(of: current) == .platform { resolved[index].platformID = current }
                guard let next = parent(of: current) else { break }
                guard seen.insert(next).inserted else {
                    throw ImportError(record: resources[index].record, reason: "its parent chain is a cycle (through \(seen.count) resources); a resource cannot contain itself")
                }
                cursor = next
            }
        }
        var series: [ResolvedImport.Series] = []
        series.reserveCapacity(self.series.count)
        for entry in self.series {
            let owner = try lookup(entry.resource, "resource", record: entry.record)
            let id = StableID.series(resource: StableID(hex: owner.id) ?? StableID(parts: [owner.id]), metric: entry.metric, labels: entry.labels)
            series.append(ResolvedImport.Series(id: id, resourceID: owner.id, resourceKind: owner.kind, resourceName: owner.name, metric: entry.metric,
                                                type: entry.type, labels: entry.labels, samples: entry.samples))
        }
        var events: [ResolvedImport.Event] = []
        for event in self.events {
            let owner = try lookup(event.resource, "resource", record: event.record)
            events.append(ResolvedImport.Event(resourceID: owner.id, kind: event.kind, timeMs: event.timeMs, severity: event.severity, message: event.message))
        }
        var resolvedImport = ResolvedImport(resources: resolved, series: series)
        resolvedImport.events = events
        return resolvedImport
    }
}
