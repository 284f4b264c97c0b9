import Logging
import Metrics
import StrataCatalog
import StrataCore
import StrataTSDB

/// The result of ingesting one batch.
public enum IngestResult: Sendable, Equatable {
    /// Stored durably: what happened to each sample (stored, duplicates, and those refused with why — the
    /// agent logs refusals, as retrying cannot change them), and how many events were recorded.
    case stored(samples: AppendSummary, events: Int)
    /// The sequence was already stored; nothing changed.
    case duplicate(lastSequence: UInt64)
}

/// Why a batch was refused.
public enum IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The agent id belongs to another tenant.
    case foreignAgent(String)
    /// The batch's first resource is not the platform the agent's credential is bound to.
    case notItsPlatform(reported: String?, bound: String)
    /// A resource other than the first has no parent, or is a second platform.
    case outsideSubtree(index: Int)
    /// The batch reports a resource that belongs to another platform.
    case foreignResource(id: String, platformID: String)
    /// The batch reports a kind of resource agents do not discover (a group, application or source).
    case notAgentKind(index: Int, kind: ResourceKind)

    public var description: String {
        switch self {
        case .foreignAgent(let id): return "agent \(id) is enrolled in another tenant"
        case let .notItsPlatform(reported, bound):
            return "the batch reports platform \(reported ?? "none") but this agent's credential is bound to platform \(bound); re-enroll the agent"
        case .outsideSubtree(let index):
            return "resource \(index) is outside the agent's platform subtree: every resource after the platform needs a parent, and only one platform is allowed"
        case let .foreignResource(id, platformID):
            return "resource \(id) belongs to platform \(platformID); an agent may report only its own platform's subtree"
        case let .notAgentKind(index, kind):
            return "resource \(index) is a \(kind.rawValue), which agents do not report (only platform, hypervisor, vm, server, service and container)"
        }
    }
}

/// Stores agent batches: dedupe by sequence, samples durably, then the catalog in one transaction.
///
/// Correctness does not depend on batches being applied one at a time (the actor is reentrant across its
/// awaits): appending a sample already stored changes nothing, the recorded sequence only grows (`MAX`),
/// and "is this resource new" is decided inside the catalog's write transaction. A crash between the
/// sample append and the catalog commit is safe: the agent resends, the sequence is not yet recorded, and
/// re-appending the same samples changes nothing.
public actor IngestPipeline {
    let catalog: any Catalog
    let store: any SampleStore
    /// Agents' samples older than this behind the store's clock are refused (they would be expired at once): the
    /// raw retention; nil for none.
    let maxAgeMs: Int64?
    /// Where the batch's events go once stored.
    let events: EventSink
    /// Where committed samples go on to alerting (nil: nowhere).
    let alertFeed: AlertFeed?
    /// Where committed samples go on to the live sample streams (nil: nowhere).
    let streams: SampleStreams?
    let logger: Logger
    let batches = Counter(label: "strata_ingest_batches_total", dimensions: [("result", "stored")])
    let duplicates = Counter(label: "strata_ingest_batches_total", dimensions: [("result", "duplicate")])
    let samplesStored = Counter(label: "strata_ingest_samples_total")
    let samplesDuplicate = Counter(label: "strata_ingest_samples_ignored_total", dimensions: [("reason", "duplicate")])
    let samplesConflict = Counter(label: "strata_ingest_samples_rejected_total", dimensions: [("reason", "conflict")])
    let samplesTooOld = Counter(label: "strata_ingest_samples_rejected_total", dimensions: [("reason", "too_old")])
    let samplesOutOfBounds = Counter(label: "strata_ingest_samples_rejected_total", dimensions: [("reason", "out_of_bounds")])
    let samplesInFuture = Counter(label: "strata_ingest_samples_rejected_total", dimensions: [("reason", "too_far_in_future")])

    /// Creates a pipeline.
    public init(catalog: any Catalog, store: any SampleStore, maxAgeMs: Int64? = nil, events: EventSink, alertFeed: AlertFeed? = nil,
                streams: SampleStreams? = nil, logger: Logger) {
        self.catalog = catalog
        self.store = store
        self.maxAgeMs = maxAgeMs
        self.events = events
        self.alertFeed = alertFeed
        self.streams = streams
        self.logger = logger
    }

    /// Ingests a decoded batch for an agent of `tenantID` whose credential is bound to `platformID` (nil:
    /// not bound, for in-process callers). A bound agent may report its platform first and then only
    /// resources under it, none of which may belong to another platform (a VM excepted: VMs move).
    public func ingest(_ batch: AgentBatch, tenantID: String, platformID boundPlatform: String? = nil,
                       nowMs: Int64) async throws -> IngestResult {
        if let agent = try await catalog.agent(id: batch.agentID) {
            guard agent.tenantID == tenantID else { throw IngestError.foreignAgent(batch.agentID) }
            if batch.sequence <= agent.lastSequence {
                duplicates.increment()
                return .duplicate(lastSequence: agent.lastSequence)
            }
        }
        var resources: [ResolvedResource] = []
        for (index, report) in batch.resources.enumerated() {
            guard report.kind.isAgentReported else { throw IngestError.notAgentKind(index: index, kind: report.kind) }
            let id = StableID.resource(tenant: tenantID, kind: report.kind, key: report.key).description
            resources.append(ResolvedResource(id: id, kind: report.kind, naturalKey: report.key, name: report.name,
                                              parentID: report.parentIndex.map { resources[$0].id },
                                              propertiesJSON: report.properties.map { $0.json }))
        }
        if let boundPlatform { try await checkSubtree(resources, boundPlatform: boundPlatform, tenantID: tenantID) }
        var series: [SeriesRecord] = []
        var appender = store.appender(policy: AppendPolicy(maxAgeMs: maxAgeMs))
        series.reserveCapacity(batch.series.count)
        // What alerting and the sample streams get once the samples are durable: every sample with its series' labels.
        let alerting = alertFeed?.wants(tenantID) == true
        let streaming = streams?.wants(tenantID) == true
        var committed: SampleBatch? = alerting || streaming ? SampleBatch() : nil
        for points in batch.series {
            let resourceID = StableID(hex: resources[points.resourceIndex].id)!
            let id = StableID.series(resource: resourceID, metric: points.metric, labels: points.labels)
            series.append(SeriesRecord(id: id, tenantID: tenantID, resourceID: resourceID.description,
                                       metric: points.metric, type: points.type, labels: points.labels))
            let resource = resources[points.resourceIndex]
            var labels = points.labels.pairs
            labels += [Label(Labels.metricName, points.metric), Label(Labels.tenant, tenantID), Label("resource_id", resource.id),
                       Label("resource_kind", resource.kind.rawValue), Label("resource_name", resource.name)]
            let seriesLabels = Labels(labels)
            appender.register(id, labels: seriesLabels)
            for sample in points.points { appender.append(id, ref: .none, timestampMs: sample.timestampMs, value: sample.value) }
            if committed != nil {
                committed?.labels[id] = seriesLabels
                for sample in points.points { committed?.append(id, sample.timestampMs, sample.value) }
            }
        }
        // Per-sample decisions within the out-of-order window; the floor is measured from the store's clock, never
        // from other tenants' samples.
        let summary = try await appender.commit().summary
        let stored = summary.stored
        samplesDuplicate.increment(by: summary.duplicates)
        samplesConflict.increment(by: summary.conflicts)
        samplesTooOld.increment(by: summary.tooOld)
        samplesOutOfBounds.increment(by: summary.outOfBounds)
        samplesInFuture.increment(by: summary.tooFarInFuture)
        if summary.rejected > 0 {
            logger.warning("samples rejected", metadata: [
                "agent": "\(batch.agentID)", "sequence": "\(batch.sequence)", "conflicts": "\(summary.conflicts)",
                "tooOld": "\(summary.tooOld)", "outOfBounds": "\(summary.outOfBounds)", "tooFarInFuture": "\(summary.tooFarInFuture)",
            ])
        }
        let platformID = resources.first(where: { $0.kind == .platform })?.id
        let events: [EventRecord]
        do {
            var record = BatchRecord(
                tenantID: tenantID, agentID: batch.agentID, sequence: batch.sequence, intervalMs: Int64(batch.intervalMs),
                agentVersion: batch.agentVersion, platformID: platformID, resources: resources, series: series, receivedMs: nowMs)
            for points in batch.series where points.metric == "up" && points.labels.pairs.isEmpty {
                guard let last = points.points.last else { continue }
                record.upReadings[resources[points.resourceIndex].id] = last.value >= 1
            }
            // A hypervisor whose `up` is 1 listed all its VMs in this batch.
            record.reachableHypervisors = Set(resources.filter { $0.kind == .hypervisor && record.upReadings[$0.id] == true }.map(\.id))
            record.events = batch.events.map { (resources[$0.resourceIndex].id, $0) }
            record.configs = batch.configs.map { (resources[$0.resourceIndex].id, resources[$0.resourceIndex].name, $0) }
            events = try await catalog.record(batch: record)
        } catch let CatalogError.foreignResource(id, owner) {
            throw IngestError.foreignResource(id: id, platformID: owner)
        }
        // After the catalog knows the batch's resources, which alerting's scopes look up.
        if let committed {
            if alerting { alertFeed?.submit(tenantID: tenantID, batch: committed, receivedMs: nowMs) }
            if streaming, stored > 0 { streams?.publish(tenantID: tenantID, batch: committed) }
        }
        batches.increment()
        samplesStored.increment(by: stored)
        self.events.emit(events)
        return .stored(samples: summary, events: events.count)
    }

    /// Refuses, before anything is stored, a batch that reaches outside the bound platform's subtree.
    private func checkSubtree(_ resources: [ResolvedResource], boundPlatform: String, tenantID: String) async throws {
        guard let first = resources.first, first.kind == .platform, first.id == boundPlatform else {
            throw IngestError.notItsPlatform(reported: resources.first(where: { $0.kind == .platform })?.id, bound: boundPlatform)
        }
        for (index, resource) in resources.enumerated().dropFirst() where resource.parentID == nil || resource.kind == .platform {
            throw IngestError.outsideSubtree(index: index)
        }
        guard resources.count > 1 else { return }
        let owners = try await catalog.resourcePlatforms(tenantID: tenantID, ids: resources.dropFirst().map(\.id))
        for resource in resources.dropFirst() where resource.kind != .vm {
            if let owner = owners[resource.id], owner != boundPlatform {
                throw IngestError.foreignResource(id: resource.id, platformID: owner)
            }
        }
    }
}
