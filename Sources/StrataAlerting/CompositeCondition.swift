import StrataCore

/// All (or any) of several conditions, each on the alert's resource or on a layer of its stack: "the VM's CPU above
/// 90 % while its host's CPU is above 80 %", "Tomcat's heap unusual and its platform swapping". The alert belongs to
/// the resource in the definition's scope; each part is judged on the resource its `layer` names from there.
public struct CompositeCondition: Sendable, Equatable {
    /// How parts combine.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case all, any
    }

    /// Which resource of the stack a part watches, seen from the alert's resource.
    public enum Layer: Sendable, Equatable, Hashable {
        /// The alert's resource itself.
        case own
        /// Its parent (a server's platform, a guest's VM, a VM's hypervisor).
        case parent
        /// The nearest resource of a kind at or above it (`platform`, `vm`, `hypervisor`, …).
        case kind(ResourceKind)
        /// The physical host: the platform a hypervisor above it runs on.
        case host

        /// The layer's name in definitions: `self`, `parent`, `host` or a kind.
        public var name: String {
            switch self {
            case .own: "self"
            case .parent: "parent"
            case .kind(let kind): kind.rawValue
            case .host: "host"
            }
        }

        /// The layer called `name`, or nil.
        public init?(name: String) {
            switch name {
            case "self": self = .own
            case "parent": self = .parent
            case "host": self = .host
            default:
                guard let kind = ResourceKind(rawValue: name) else { return nil }
                self = .kind(kind)
            }
        }

        /// The resource this layer names, given the alert's resource and its ancestors, nearest first, with kinds;
        /// nil when the stack has no such layer.
        public func resolve(_ lineage: [(id: String, kind: ResourceKind)]) -> String? {
            switch self {
            case .own: return lineage.first?.id
            case .parent: return lineage.count > 1 ? lineage[1].id : nil
            case .kind(let kind): return lineage.first { $0.kind == kind }?.id
            case .host:
                guard let hypervisor = lineage.firstIndex(where: { $0.kind == .hypervisor }), hypervisor + 1 < lineage.count,
                      lineage[hypervisor + 1].kind == .platform else { return nil }
                return lineage[hypervisor + 1].id
            }
        }
    }

    /// One condition on one layer.
    public struct Part: Sendable, Equatable {
        public var layer: Layer
        /// A threshold, trend, baseline, availability or event condition (not another composite).
        public var condition: AlertCondition
        /// For event parts: how long a matching event keeps the part true.
        public var holdMs: Int64

        /// A part.
        public init(layer: Layer = .own, condition: AlertCondition, holdMs: Int64 = 300_000) {
            self.layer = layer
            self.condition = condition
            self.holdMs = max(0, holdMs)
        }
    }

    public var mode: Mode
    public var parts: [Part]

    /// A composite condition.
    public init(mode: Mode, parts: [Part]) {
        self.mode = mode
        self.parts = parts
    }

    /// Whether the composite holds given whether each part does (nil: unknown yet, which counts as not holding).
    public func holds(_ parts: [Bool?]) -> Bool {
        switch mode {
        case .all: !parts.isEmpty && parts.allSatisfy { $0 == true }
        case .any: parts.contains { $0 == true }
        }
    }
}
