import StrataCore
import StrataInventory

/// The tenant every row belongs to until multi-tenancy lands.
public let defaultTenant = "default"

/// A resource in the inventory as stored.
public struct ResourceRecord: Sendable, Equatable, Codable {
    /// Stable id (16 hex digits).
    public var id: String
    /// Owning tenant.
    public var tenantID: String
    /// Kind, e.g. `platform`.
    public var kind: ResourceKind
    /// The natural key identity derives from.
    public var naturalKey: String
    /// Display name.
    public var name: String
    /// Parent resource id, if any.
    public var parentID: String?
    /// Properties as a JSON object text.
    public var propertiesJSON: String
    /// Up, down, unknown or retired.
    public var availability: Availability
    /// Creation time, Unix ms.
    public var createdMs: Int64
    /// Last update time, Unix ms.
    public var updatedMs: Int64
    /// Approved, pending (waiting in the discovery queue) or ignored.
    public var approval: Approval = .approved
    /// When it was removed (by a user or by retirement), Unix ms; nil while it is listed.
    public var removedMs: Int64?
}

/// What a removal did.
public struct RemovalRecord: Sendable, Equatable {
    /// The resource and everything below it, parents first.
    public var ids: [String]
    /// Whether its rows were deleted (else hidden with history kept).
    public var purged: Bool
    /// The events recorded.
    public var events: [EventRecord]
}

/// A series as stored: which resource, which metric, which labels.
public struct SeriesRecord: Sendable, Equatable, Codable {
    /// Stable id of the series.
    public var id: StableID
    /// Owning tenant.
    public var tenantID: String
    /// Resource the series belongs to.
    public var resourceID: String
    /// Metric name.
    public var metric: String
    /// Gauge, counter, histogram or summary.
    public var type: MetricType
    /// Labels within the resource.
    public var labels: Labels

    /// Creates a series record.
    public init(id: StableID, tenantID: String, resourceID: String, metric: String, type: MetricType, labels: Labels) {
        self.id = id
        self.tenantID = tenantID
        self.resourceID = resourceID
        self.metric = metric
        self.type = type
        self.labels = labels
    }
}

/// An event on the timeline of a resource (discovered, availability change, …).
public struct EventRecord: Sendable, Equatable, Codable {
    /// Monotonic id.
    public var id: Int64
    /// Owning tenant.
    public var tenantID: String
    /// The resource it concerns, if any.
    public var resourceID: String?
    /// When it happened, Unix ms.
    public var timeMs: Int64
    /// Kind, e.g. `availability`, `discovered`.
    public var kind: EventKind
    /// How severe.
    public var severity: EventSeverity
    /// Human-readable message.
    public var message: String
    /// The file it came from (a log record's log file, a configuration change's file), if any.
    public var source: String? = nil
}

/// One stored version of a tracked configuration file.
public struct ConfigVersionRecord: Sendable, Equatable, Codable {
    /// The resource the file configures.
    public var resourceID: String
    /// The file's path on its host.
    public var path: String
    /// 1, 2, … per file.
    public var version: Int64
    /// `present`, `deleted` or `untracked` (then `content` says why).
    public var state: String
    /// When the agent read it, Unix ms.
    public var observedMs: Int64
    /// Lines added and removed relative to the previous version.
    public var added: Int
    public var removed: Int
    /// A hash of state and content (FNV-1a 64, hex): equal content, equal hash.
    public var hash: String
    /// The redacted content (only when asked for).
    public var content: String?

    /// The text a diff compares: the content of a present file, nothing for a deleted or untracked one.
    public var text: String { state == "present" ? content ?? "" : "" }

    /// The unified diff between two versions' texts, named `PATH@VERSION` (version 0: before the first),
    /// as config-change events carry it and the API serves it.
    public static func diff(path: String, old: String, oldVersion: Int64, new: String, newVersion: Int64) -> String {
        UnifiedDiff.diff(old: old, new: new, oldName: "\(path)@\(oldVersion)", newName: "\(path)@\(newVersion)")
    }
}

/// What the catalog knows about an agent.
public struct AgentRecord: Sendable, Equatable {
    /// Agent id.
    public var id: String
    /// Owning tenant.
    public var tenantID: String
    /// Platform resource the agent reports for.
    public var platformID: String?
    /// Highest sequence stored.
    public var lastSequence: UInt64
    /// Collection interval.
    public var intervalMs: Int64
    /// Last time a batch arrived.
    public var lastSeenMs: Int64
    /// Whether the platform is considered up.
    public var available: Bool
    /// When an admin revoked it, if so.
    public var revokedMs: Int64? = nil
}

/// Why the catalog refused a change.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The batch reported a resource of another platform's subtree.
    case foreignResource(id: String, platformID: String)

    public var description: String {
        switch self {
        case let .foreignResource(id, platformID):
            return "resource \(id) belongs to platform \(platformID); an agent may report only its own platform's subtree"
        }
    }
}

/// A typed edge between two resources beyond parent→child, e.g. a server that `depends-on` a database.
public struct RelationRecord: Sendable, Equatable, Codable {
    /// Owning tenant.
    public var tenantID: String
    /// The resource the edge starts at (the dependent).
    public var sourceID: String
    /// The resource it points to (the dependency).
    public var targetID: String
    /// Kind, e.g. `depends-on`.
    public var kind: RelationKind
    /// What showed it, e.g. `connection to 127.0.0.1:3306`.
    public var evidence: String
    /// Whether the last report still showed it.
    public var active: Bool
    /// First seen, Unix ms.
    public var createdMs: Int64
    /// Last seen, Unix ms.
    public var seenMs: Int64
}

/// A VM's stay on one hypervisor: from when it was first reported there to when it left (nil: still there).
public struct PlacementRecord: Sendable, Equatable, Codable {
    /// The VM.
    public var vmID: String
    /// The hypervisor.
    public var hypervisorID: String
    /// First reported there, Unix ms.
    public var fromMs: Int64
    /// Last reported there (left), Unix ms; nil while it is there.
    public var toMs: Int64?
}

/// One entry of the discovery approval queue.
public struct DiscoveryRecord: Sendable, Equatable, Codable {
    /// Monotonic id.
    public var id: Int64
    /// The resource concerned.
    public var resourceID: String
    /// New, changed, removed or enrollment.
    public var change: DiscoveryChange
    /// What changed, for people.
    public var summary: String
    /// Pending, approved, ignored or deferred.
    public var status: DiscoveryStatus
    /// Queued at, Unix ms.
    public var createdMs: Int64
    /// Decided at, Unix ms.
    public var decidedMs: Int64?
    /// Who decided.
    public var decidedBy: String?
    /// For an `enrollment` request: the agent asking to report the platform.
    public var agentID: String?
}
