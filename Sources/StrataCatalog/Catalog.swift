import StrataCore
import StrataInventory

/// A resource an ingested batch reported, with its derived id and resolved parent.
public struct ResolvedResource: Sendable, Equatable {
    /// Derived stable id.
    public var id: String
    /// Kind.
    public var kind: ResourceKind
    /// Natural key.
    public var naturalKey: String
    /// Display name.
    public var name: String
    /// Parent id, if the report named one.
    public var parentID: String?
    /// Properties JSON, or nil when the agent did not resend them.
    public var propertiesJSON: String?

    /// Creates a resolved resource.
    public init(id: String, kind: ResourceKind, naturalKey: String, name: String, parentID: String?, propertiesJSON: String?) {
        self.id = id
        self.kind = kind
        self.naturalKey = naturalKey
        self.name = name
        self.parentID = parentID
        self.propertiesJSON = propertiesJSON
    }
}

/// Everything the catalog records for one acknowledged agent batch, applied in one transaction.
public struct BatchRecord: Sendable {
    /// Tenant of the agent.
    public var tenantID: String
    /// Agent id.
    public var agentID: String
    /// The batch's sequence number.
    public var sequence: UInt64
    /// The agent's interval.
    public var intervalMs: Int64
    /// Agent version.
    public var agentVersion: String
    /// The platform the agent runs on (first platform in the batch), if any.
    public var platformID: String?
    /// Resources reported.
    public var resources: [ResolvedResource]
    /// Series carried (inserted if new).
    public var series: [SeriesRecord]
    /// Arrival time, Unix ms.
    public var receivedMs: Int64
    /// Hypervisors that answered in this batch (their `up` is 1): their VM lists are complete, so a VM
    /// placed on one of them and missing from the batch has left it.
    public var reachableHypervisors: Set<String> = []
    /// The latest unlabelled `up` reading of each resource that has one (1 or more: up).
    public var upReadings: [String: Bool] = [:]
    /// Events the agent observed (log records) with the ids of their resources: stored once per (resource, origin).
    public var events: [(resourceID: String, event: AgentEvent)] = []
    /// Configuration files that changed, with the ids and names of their resources: a new version each when
    /// the content differs from the file's latest one.
    public var configs: [(resourceID: String, resourceName: String, snapshot: ConfigSnapshot)] = []

    /// Creates a record.
    public init(tenantID: String, agentID: String, sequence: UInt64, intervalMs: Int64, agentVersion: String,
                platformID: String?, resources: [ResolvedResource], series: [SeriesRecord], receivedMs: Int64) {
        self.tenantID = tenantID
        self.agentID = agentID
        self.sequence = sequence
        self.intervalMs = intervalMs
        self.agentVersion = agentVersion
        self.platformID = platformID
        self.resources = resources
        self.series = series
        self.receivedMs = receivedMs
    }
}

/// Filters for listing resources.
public struct ResourceQuery: Sendable {
    /// Only this kind.
    public var kind: ResourceKind?
    /// Only children of this resource; the empty text means resources without a parent (the tree's roots).
    public var parentID: String?
    /// Case-insensitive substring of name, natural key or id.
    public var text: String?
    /// Most rows returned.
    public var limit: Int = 1000
    /// Only resources with this availability.
    public var availability: Availability?
    /// Only resources whose property `key` (a top-level key of their properties) has this text value.
    public var property: (key: String, value: String)?
    /// Rows skipped before the first returned, in the query's order (kind, name, id).
    public var offset: Int = 0

    /// Creates a query.
    public init(kind: ResourceKind? = nil, parentID: String? = nil, text: String? = nil, limit: Int = 1000,
                availability: Availability? = nil, property: (key: String, value: String)? = nil, offset: Int = 0) {
        self.kind = kind
        self.parentID = parentID
        self.text = text
        self.limit = limit
        self.availability = availability
        self.property = property
        self.offset = offset
    }
}

/// How many listed resources of a tenant there are of one kind and availability (`GET /api/v1/inventory/summary`).
public struct InventoryCount: Sendable, Equatable {
    /// The kind, with platforms split: `host` for a platform not inside a VM, `guest` for one inside a VM.
    public var kind: String
    /// Up, down, unknown or retired.
    public var availability: Availability
    /// Approved resources (pending and ignored ones are in the discovery queue, not the inventory).
    public var count: Int

    /// A count.
    public init(kind: String, availability: Availability, count: Int) {
        self.kind = kind
        self.availability = availability
        self.count = count
    }
}

/// Filters for listing events.
public struct EventQuery: Sendable {
    /// Only events of this resource.
    public var resourceID: String?
    /// Only this kind.
    public var kind: EventKind?
    /// Only events at or after this time.
    public var sinceMs: Int64?
    /// Only events before this time.
    public var untilMs: Int64?
    /// With `resourceID`: also the events of everything below the resource (one timeline for a subtree).
    public var subtree = false
    /// Only events at least this severe (`info` < `warning` < `error` < `critical`).
    public var minimumSeverity: EventSeverity?
    /// Full-text search over message and kind (words, all of which must appear).
    public var text: String?
    /// Only events with a smaller id (paging back).
    public var beforeID: Int64?
    /// Only events with a larger id (following new events).
    public var afterID: Int64?
    /// Most rows returned, newest first.
    public var limit: Int = 100
    /// Oldest first (for following a stream forward from `afterID`); newest first otherwise.
    public var oldestFirst = false

    /// Creates a query.
    public init(resourceID: String? = nil, kind: EventKind? = nil, sinceMs: Int64? = nil, limit: Int = 100) {
        self.resourceID = resourceID
        self.kind = kind
        self.sinceMs = sinceMs
        self.limit = limit
    }
}

/// Inventory, events and agents, plus everything of `AccessStore` and `GroupStore`. Every call is scoped to a tenant.
///
/// The embedded implementation is `SQLiteCatalog`; a PostgreSQL one follows for several servers.
public protocol Catalog: AccessStore, GroupStore, AlertStore, CommandStore, ScheduleStore, FailoverStore {
    /// Creates the default tenant, the admin user and the agent enrollment token if no user exists.
    /// Returns false when the catalog was already bootstrapped (nothing changed).
    func bootstrap(adminPasswordHash: String, agentTokenHash: String, nowMs: Int64) async throws -> Bool
    /// The agent's record.
    func agent(id: String) async throws -> AgentRecord?
    /// Applies an acknowledged batch: resources, placements, matches, edges, availability from `up` readings,
    /// series, agent progress and the events they cause.
    /// Throws `CatalogError.foreignResource` when the batch reports a resource that belongs to another
    /// platform's subtree (a VM excepted: VMs move between hosts).
    func record(batch: BatchRecord) async throws -> [EventRecord]
    /// Marks agents whose deadline passed as unavailable and records the events.
    func markOverdueAgents(nowMs: Int64, missedIntervals: Int64, notBeforeMs: Int64) async throws -> [EventRecord]
    /// The platform each existing resource of `ids` belongs to (resources without one are absent).
    func resourcePlatforms(tenantID: String, ids: [String]) async throws -> [String: String]
    /// Resources matching `query`.
    func resources(tenantID: String, query: ResourceQuery) async throws -> [ResourceRecord]
    /// How many resources match `query`, ignoring its limit and offset.
    func resourceCount(tenantID: String, query: ResourceQuery) async throws -> Int
    /// Counts of the tenant's approved, listed resources by kind and availability.
    func inventorySummary(tenantID: String) async throws -> [InventoryCount]
    /// One resource.
    func resource(tenantID: String, id: String) async throws -> ResourceRecord?
    /// Series of a resource.
    func series(tenantID: String, resourceID: String) async throws -> [SeriesRecord]
    /// One series.
    func series(tenantID: String, id: StableID) async throws -> SeriesRecord?
    /// Events, newest first.
    func events(tenantID: String, query: EventQuery) async throws -> [EventRecord]
    /// Relations starting or ending at a resource.
    func relations(tenantID: String, resourceID: String) async throws -> [RelationRecord]
    /// Where VMs ran: the placements of a VM (`vmID`) or on a hypervisor (`hypervisorID`), optionally only
    /// those covering the time `atMs`, oldest first.
    func placements(tenantID: String, vmID: String?, hypervisorID: String?, atMs: Int64?) async throws -> [PlacementRecord]
    /// The tenant's resources with their lifetimes and the VMs' home history, as PromQL's cross-layer labels and
    /// info series need them (docs/prometheus.md "Cross-layer labels").
    func crossLayerDirectory(tenantID: String) async throws -> CrossLayerDirectory
    /// The tenant's discovery policy (`auto` with no rules until one is set).
    func discoveryPolicy(tenantID: String) async throws -> DiscoveryPolicy
    /// Replaces the tenant's discovery policy.
    func setDiscoveryPolicy(tenantID: String, policy: DiscoveryPolicy) async throws
    /// Queue entries, newest first, optionally of one status.
    func discoveries(tenantID: String, status: DiscoveryStatus?, limit: Int) async throws -> [DiscoveryRecord]
    /// One discovery of the tenant, if it exists.
    func discovery(tenantID: String, id: Int64) async throws -> DiscoveryRecord?
    /// Decides a queue entry (approved, ignored, deferred); nil when there is no such entry in the tenant.
    func decideDiscovery(tenantID: String, id: Int64, status: DiscoveryStatus, by actor: String, nowMs: Int64) async throws -> (DiscoveryRecord, [EventRecord])?
    /// Deletes events older than `cutoffMs` (retention); returns how many.
    func deleteEvents(olderThanMs cutoffMs: Int64) async throws -> Int
    /// The tracked configuration files of a resource, each at its latest version (no content).
    func configFiles(tenantID: String, resourceID: String) async throws -> [ConfigVersionRecord]
    /// Every version of one file, newest first (no content).
    func configVersions(tenantID: String, resourceID: String, path: String) async throws -> [ConfigVersionRecord]
    /// One version of one file with its content (the latest when `version` is nil).
    func configVersion(tenantID: String, resourceID: String, path: String, version: Int64?) async throws -> ConfigVersionRecord?
    /// Marks retired the VMs no hypervisor has reported since their last placement closed (plus its grace).
    func retireVanishedVMs(nowMs: Int64) async throws -> [EventRecord]
    /// Attaches the scrape targets of remote-written series (labels include `__name__`) to resources, one row per
    /// target: the server or platform an agent found for it (`TargetMatcher`), else a `source` resource per `job`
    /// and `instance`, created on first sight with a "discovered" event. Idempotent. Returns the events recorded.
    func attachRemoteSeries(tenantID: String, series: [(id: StableID, labels: Labels)], nowMs: Int64) async throws -> [EventRecord]
    /// Moves every scrape target that joined a source or only a platform to the server or platform an agent has
    /// since found for it; a source left without targets hands its events (and series rows of earlier versions)
    /// to the new owner and is deleted. Returns the events recorded.
    func rehomeRemoteSources(nowMs: Int64) async throws -> [EventRecord]
    /// Stores Prometheus's metadata of metric families (which types their series when listed) and retypes series
    /// rows of earlier versions when a family's type changes.
    func recordMetricMetadata(tenantID: String, metadata: [MetricMetadata], nowMs: Int64) async throws
    /// The stored metadata of the tenant's metric families, by family name; only `family` when given; at most
    /// `limit` families.
    func metricMetadata(tenantID: String, family: String?, limit: Int?) async throws -> [MetricMetadata]
    /// Sets the availability of the servers and sources whose `up` series changed (true 1, false 0, nil stale:
    /// a source becomes unknown; a server keeps what its agent says). Platforms are left to their agents.
    func applyUpReadings(tenantID: String, readings: [(target: ScrapeTarget, up: Bool?)], nowMs: Int64) async throws -> [EventRecord]
    /// The scrape targets that joined resource `resourceID` (their series are found by label).
    func remoteTargets(tenantID: String, resourceID: String) async throws -> [ScrapeTarget]
    /// The resource a scrape target joined, if it was seen.
    func remoteTargetOwner(tenantID: String, target: ScrapeTarget) async throws -> String?
    /// The tenant's metric families with types known from Prometheus's metadata.
    func metricFamilies(tenantID: String) async throws -> [String: MetricType]
    /// Removes resource `id` and everything below it: hidden from lists with history kept (a `retired` event), or
    /// purged with every row that names it. Nil when the tenant has no such resource.
    func removeResource(tenantID: String, id: String, purge: Bool, by actor: String, nowMs: Int64) async throws -> RemovalRecord?
    /// Applies a validated import (docs/import.md) in one transaction: its references settled against the tenant's
    /// inventory (throws `ImportError` naming the record for an unknown key or a cycle), resources upserted as
    /// discovered ones are, relations, placements, home spans and series rows recorded. Idempotent.
    func applyImport(tenantID: String, plan: ImportPlan, nowMs: Int64) async throws -> ImportOutcome
    /// Retires (hides, history kept) servers down or unknown for longer than `afterMs` (0: never). Returns the events.
    func retireGoneServers(afterMs: Int64, nowMs: Int64) async throws -> [EventRecord]
}
