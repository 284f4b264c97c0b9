import StrataCore

/// What an alert definition applies to.
public enum AlertScope: Sendable, Equatable {
    /// One resource, by id.
    case resource(String)
    /// Every member of a resource group, by group id (members at evaluation time).
    case group(String)
    /// Every present and future resource of a kind (`platform`, `vm`, `server`, …).
    case kind(ResourceKind)
    /// Every present and future server of a type (`nginx`, `tomcat`, …: the server's `type` property).
    case serverType(String)
    /// Remote-written series whose labels carry these values (one alert per series).
    case series([String: String])
}

/// An alert definition: a condition over a scope, with how it is told.
public struct AlertDefinition: Sendable, Equatable {
    /// Stable id (from the tenant and name).
    public var id: String
    /// The tenant it belongs to.
    public var tenantID: String
    /// A unique name within the tenant, e.g. `nginx-down`.
    public var name: String
    /// What it applies to.
    public var scope: AlertScope
    /// When it fires.
    public var condition: AlertCondition
    /// How much it matters.
    public var severity: EventSeverity
    /// Noise control: `for`, minimum firing time, flapping.
    public var policy: LifecyclePolicy
    /// Labels copied onto every alert (and to Alertmanager).
    public var labels: [String: String]
    /// Templates rendered per alert: `{{ .resource.name }}`, `{{ .value }}`, `{{ .labels.NAME }}`, …
    public var annotations: [String: String]
    /// Names of the notification targets to tell.
    public var notify: [String]
    /// Where it came from: `api` or the YAML file's path.
    public var origin: String
    /// Steps told while an alert stays firing unacknowledged (empty: none); `notify` is step 0.
    public var escalation: EscalationPolicy
    /// A control action run on the alert's resource when it fires and is told.
    public var action: TriggeredAction?

    /// A definition.
    public init(id: String, tenantID: String, name: String, scope: AlertScope, condition: AlertCondition,
                severity: EventSeverity = .warning, policy: LifecyclePolicy = LifecyclePolicy(), labels: [String: String] = [:],
                annotations: [String: String] = [:], notify: [String] = [], origin: String = "api",
                escalation: EscalationPolicy = EscalationPolicy(), action: TriggeredAction? = nil) {
        self.id = id
        self.tenantID = tenantID
        self.name = name
        self.scope = scope
        self.condition = condition
        self.severity = severity
        self.policy = policy
        self.labels = labels
        self.annotations = annotations
        self.notify = notify
        self.origin = origin
        self.escalation = escalation
        self.action = action
    }

    /// The id of the definition `name` in `tenantID`.
    public static func id(tenantID: String, name: String) -> String {
        StableID(parts: ["alert-definition", tenantID, name]).description
    }
}

/// What an evaluator knows about a resource when deciding whether a definition's scope covers it.
public struct ScopedResource: Sendable, Equatable {
    /// Its id.
    public var id: String
    /// Its kind.
    public var kind: ResourceKind
    /// A server's `type` property (`nginx`), nil otherwise.
    public var serverType: String?
    /// The groups it belongs to.
    public var groups: Set<String>

    /// A resource as scopes see it.
    public init(id: String, kind: ResourceKind, serverType: String? = nil, groups: Set<String> = []) {
        self.id = id
        self.kind = kind
        self.serverType = serverType
        self.groups = groups
    }
}

extension AlertScope {
    /// Whether the scope covers a resource (series scopes cover none: they match labels).
    public func covers(_ resource: ScopedResource) -> Bool {
        switch self {
        case .resource(let id): resource.id == id
        case .group(let group): resource.groups.contains(group)
        case .kind(let kind): resource.kind == kind
        case .serverType(let type): resource.kind == .server && resource.serverType?.lowercased() == type.lowercased()
        case .series: false
        }
    }

    /// Whether the scope covers a series with these labels (resource scopes cover none: they match resources).
    public func covers(labels: [String: String]) -> Bool {
        guard case .series(let wanted) = self else { return false }
        return wanted.allSatisfy { labels[$0.key] == $0.value }
    }
}

/// A control action an alert runs on its resource when it fires ("restart Tomcat when its heap stays above 90 %"),
/// at most once per resource within `minIntervalMs`.
public struct TriggeredAction: Sendable, Equatable {
    public var name: String
    public var parameters: [String: String]
    public var minIntervalMs: Int64

    /// An action.
    public init(name: String, parameters: [String: String] = [:], minIntervalMs: Int64 = 600_000) {
        self.name = name
        self.parameters = parameters
        self.minIntervalMs = max(0, minIntervalMs)
    }

    /// Whether it may run again at `nowMs` after a run at `lastMs` (nil: never ran).
    public func isDue(lastMs: Int64?, nowMs: Int64) -> Bool {
        guard let lastMs else { return true }
        let (elapsed, overflow) = nowMs.subtractingReportingOverflow(lastMs)
        return overflow || elapsed >= minIntervalMs
    }
}
