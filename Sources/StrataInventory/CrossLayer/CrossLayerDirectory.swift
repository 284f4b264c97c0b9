import StrataCore

/// A tenant's inventory as PromQL sees it: the labels that place each resource's series in the virtualization
/// chain (`platform`, `vm`, and on a hypervisor's own series `hypervisor` and `host`), and the info series
/// `strata_resource_info` and `strata_placement_info` over their history (docs/prometheus.md "Cross-layer labels").
///
/// Only labels that hold for a series' whole life are derived here: the platform a server, service or container
/// runs on, the VM a guest platform was matched to, the host of a hypervisor. Where a VM runs changes with every
/// migration, so it never labels a series: `strata_placement_info` carries it, one sample stream per
/// (VM, hypervisor) that is 1 while that hypervisor was the VM's home and absent otherwise.
public struct CrossLayerDirectory: Sendable {
    /// One resource as the directory needs it.
    public struct Resource: Sendable, Equatable {
        public var id: String
        public var kind: ResourceKind
        public var name: String
        public var parentID: String?
        /// First seen, Unix ms.
        public var fromMs: Int64
        /// Removed or retired, Unix ms; nil while listed.
        public var toMs: Int64?

        /// A resource.
        public init(id: String, kind: ResourceKind, name: String, parentID: String?, fromMs: Int64, toMs: Int64?) {
            self.id = id
            self.kind = kind
            self.name = name
            self.parentID = parentID
            self.fromMs = fromMs
            self.toMs = toMs
        }
    }

    /// The labels derived from the inventory, which replace a stored label of the same name on a Strata series.
    public static let derivedNames: Set<String> = ["host", "hypervisor", "platform", "vm"]
    /// The metric name of the series describing every resource over its lifetime.
    public static let resourceInfo = "strata_resource_info"
    /// The metric name of the series saying where each VM ran over time.
    public static let placementInfo = "strata_placement_info"

    private let resources: [String: Resource]
    private let listed: [Resource]
    private let homes: [HomeSpan]
    /// The derived labels of every resource that has any, by resource id.
    public let derived: [String: [Label]]

    /// The directory of `resources` with the VMs' home history `homes`.
    public init(resources: [Resource], homes: [HomeSpan]) {
        var byID: [String: Resource] = [:]
        for resource in resources { byID[resource.id] = resource }
        self.resources = byID
        listed = resources
        self.homes = homes
        var derived: [String: [Label]] = [:]
        for resource in resources {
            let labels = Self.derive(resource, in: byID)
            if !labels.isEmpty { derived[resource.id] = labels }
        }
        self.derived = derived
    }

    /// Every resource the directory holds, listed and removed, with its lifetime.
    public var allResources: [Resource] { listed }
    /// The VMs' home history.
    public var homeSpans: [HomeSpan] { homes }
    /// One resource by id.
    public func resource(_ id: String) -> Resource? { resources[id] }

    /// `strata_resource_info` and `strata_placement_info`, sorted by labels; made on each use (most queries need
    /// only the derived labels).
    public var infoSeries: [InfoSeries] {
        var info: [InfoSeries] = listed.map { resource in
            var labels = [Label(Labels.metricName, Self.resourceInfo), Label("resource_id", resource.id),
                          Label("resource_kind", resource.kind.rawValue), Label("resource_name", resource.name)]
            labels += derived[resource.id] ?? []
            if let parent = resource.parentID, resource.kind != .vm { labels.append(Label("parent", parent)) }
            return InfoSeries(labels: Labels(labels), spans: [InfoSeries.Span(fromMs: resource.fromMs, toMs: resource.toMs)])
        }
        var placements: [Labels: [InfoSeries.Span]] = [:]
        for home in homes {
            guard let vm = resources[home.vmID] else { continue }
            var to = home.toMs
            if let end = vm.toMs { to = min(to ?? end, end) }
            if let to, to <= home.fromMs { continue }
            var labels = [Label(Labels.metricName, Self.placementInfo), Label("vm", vm.id), Label("hypervisor", home.hypervisorID)]
            if let hypervisor = resources[home.hypervisorID] {
                labels.append(Label("hypervisor_name", hypervisor.name))
                if let host = hypervisor.parentID.flatMap({ resources[$0] }), host.kind == .platform {
                    labels += [Label("host", host.id), Label("host_name", host.name)]
                }
            }
            placements[Labels(labels), default: []].append(InfoSeries.Span(fromMs: home.fromMs, toMs: to))
        }
        info += placements.map { InfoSeries(labels: $0.key, spans: InfoSeries.merged($0.value)) }
        return info.sorted { left, right in
            for (a, b) in zip(left.labels.pairs, right.labels.pairs) where a != b {
                return a.name != b.name ? a.name < b.name : a.value < b.value
            }
            return left.labels.pairs.count < right.labels.pairs.count
        }
    }

    /// Whether `id` is one of the tenant's resources.
    public func contains(_ id: String) -> Bool { resources[id] != nil }

    /// The ids of every resource.
    public var resourceIDs: [String] { Array(resources.keys) }

    /// `labels` of a series with the derived labels of its resource (`resource_id`) set, replacing stored labels
    /// of those names; unchanged when the series names no resource of the tenant.
    public func enriched(_ labels: Labels) -> Labels {
        guard let id = labels["resource_id"], let extra = derived[id] else { return labels }
        return Labels(labels.pairs.filter { !Self.derivedNames.contains($0.name) } + extra)
    }

    /// The labels that hold for every series of `resource` for its whole life, sorted by name: `platform` (the
    /// platform it is, or runs on), `vm` (the VM it is, or the VM its guest platform was matched to), and for a
    /// hypervisor `hypervisor` and `host`. The walk up the parents stops at a VM: above it, placement changes.
    static func derive(_ resource: Resource, in byID: [String: Resource]) -> [Label] {
        var found: [String: String] = [:]
        var cursor: Resource? = resource
        for _ in 0..<64 {
            guard let current = cursor else { break }
            let parent = current.parentID.flatMap { byID[$0] }
            switch current.kind {
            case .vm:
                found["vm"] = current.id
                cursor = nil
            case .platform:
                if found["platform"] == nil { found["platform"] = current.id }
                if let parent, parent.kind == .vm { found["vm"] = parent.id }
                cursor = nil
            case .hypervisor:
                found["hypervisor"] = current.id
                if let parent, parent.kind == .platform {
                    found["host"] = parent.id
                    found["platform"] = parent.id
                }
                cursor = nil
            default:
                cursor = parent
            }
        }
        return found.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
    }
}
