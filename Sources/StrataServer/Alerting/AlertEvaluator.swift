import Foundation
import Logging
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

/// Evaluates alert definitions as data arrives: committed samples come through the `AlertFeed`, stored events
/// through the `EventSink`, and a 1 s tick advances time-based rules (`for`, minimum firing time, flapping, event
/// alerts that resolve after a quiet spell). Each step's changes — alerts, history, notification outbox rows and
/// timeline events — are stored in one catalog transaction before anything is told, so a restart (kill -9
/// included) resumes from the stored lifecycles and delivers every stored notification once.
actor AlertEvaluator {
    static let factsTTLMs: Int64 = 30_000
    static let maxSeriesFacts = 1_000_000

    let catalog: any Catalog
    let querier: any Querier
    let sink: EventSink
    let feed: AlertFeed
    let logger: Logger
    let clock: @Sendable () -> Int64
    var index = ConditionIndex()
    var targets: [String: [API.NotifyTarget]] = [:]
    var entries: [AlertEntry.Key: AlertEntry] = [:]
    var inputs: [AlertEntry.Key: ThresholdInputState] = [:]
    var trends: [AlertEntry.Key: TrendState] = [:]
    var baselines: [AlertEntry.Key: BaselineProfile] = [:]
    /// Baselines whose stored history could not be read yet: how many samples have tried (`historyAttempts`).
    var baselineReadFailures: [AlertEntry.Key: Int] = [:]
    /// Bumped whenever a definition's metric state is forgotten (its condition or scope changed, or it was removed): a
    /// history read that spanned a bump keeps nothing, as its definition may be gone or different (`judge`).
    var metricStateEpoch: UInt64 = 0
    /// Composite parts: the series holding a metric part on a resource, when an event part's hold ends, and the
    /// resources each composite has judged.
    var partHolding: [PartKey: Set<String>] = [:]
    var partEventUntil: [PartKey: Int64] = [:]
    var compositeSubjects: [String: Set<String>] = [:]
    var compositeTenants: Set<String> = []
    /// How many definitions of each tenant read metrics, and how many are composite: kept as definitions come and go,
    /// so defining one costs the same with 10 or 10,000 others.
    var metricDefinitionCounts: [String: Int] = [:]
    var compositeDefinitionCounts: [String: Int] = [:]
    /// Control, for definitions that name an action; actions noted while a step's changes are built.
    var control: ControlService?
    var pendingActions: [PendingAction] = []
    var seriesFacts: [StableID: SeriesFacts] = [:]
    /// The threshold definitions covering each series, by metric: a definition's change forgets only its metrics'.
    var seriesDefinitions: [String: [StableID: [String]]] = [:]
    var seriesDefinitionCount = 0
    var facts: [String: ResourceFacts] = [:]
    var groups: [String: (members: Set<String>, fetchedMs: Int64)] = [:]
    var silences: [Silence] = []
    /// When each open alert was last sent to its Alertmanager targets.
    var lastResend: [AlertEntry.Key: Int64] = [:]
    /// How often open alerts are sent to Alertmanager targets again: Alertmanager resolves an alert by itself when it
    /// has not heard of it for its `resolve_timeout` (5 minutes by default); Prometheus re-sends every evaluation.
    var alertmanagerResendMs: Int64 = 60_000
    /// Each definition's escalation targets, per step (`escalationTargets[id][0]` is `escalation[0].notify`).
    var escalationTargets: [String: [[API.NotifyTarget]]] = [:]
    /// Where each open alert's escalation stands.
    var escalationTrackers: [AlertEntry.Key: EscalationTracker] = [:]
    /// Stored alerts of rules not installed yet (rule files are read after the stored state): they resume when their
    /// rule is installed.
    var parkedRuleEntries: [String: [AlertEntry]] = [:]

    init(catalog: any Catalog, querier: any Querier, sink: EventSink, feed: AlertFeed, logger: Logger,
         clock: @escaping @Sendable () -> Int64, control: ControlService? = nil) {
        self.control = control
        self.catalog = catalog
        self.querier = querier
        self.sink = sink
        self.feed = feed
        self.logger = logger
        self.clock = clock
    }

    /// Loads stored definitions, alerts and silences (after a restart: resumes where it stopped).
    func load() async throws {
        for record in try await catalog.alertDefinitions(tenantID: nil) {
            do {
                let body = try JSONDecoder().decode(API.AlertDefinition.self, from: Data(record.bodyJSON.utf8))
                install(try DefinitionCompiler.compile(body, tenantID: record.tenantID, origin: record.origin), body: body)
            } catch {
                logger.error("stored alert definition unusable; skipped", metadata: ["definition": "\(record.name)", "error": "\(error)"])
            }
        }
        for record in try await catalog.allAlerts() {
            guard let entry = AlertEntry(record: record) else { continue }
            guard let definition = index.definitions[record.definitionID] else {
                if record.state != AlertState.resolved.rawValue, record.state != AlertState.inactive.rawValue {
                    parkedRuleEntries[record.definitionID, default: []].append(entry)
                }
                continue
            }
            entries[entry.key] = entry
            if case .composite = definition.condition { compositeSubjects[definition.id, default: []].insert(entry.subject) }
        }
        try await reloadSilences()
        await resumeEscalations()
        updateFeed()
    }

    /// Creates or replaces a definition from its API body; returns it as stored.
    func define(_ body: API.AlertDefinition, tenantID: String, origin: String) async throws -> AlertDefinition {
        let definition = try DefinitionCompiler.compile(body, tenantID: tenantID, origin: origin)
        var stored = body
        stored.id = nil
        stored.origin = nil
        stored.updatedMs = nil
        let json = String(decoding: try JSONEncoder().encode(stored), as: UTF8.self)
        try await catalog.saveAlertDefinition(AlertDefinitionRecord(tenantID: tenantID, id: definition.id, name: definition.name,
                                                                    bodyJSON: json, origin: origin, updatedMs: clock()))
        if let old = index.definitions[definition.id], old.condition != definition.condition || old.scope != definition.scope {
            // A changed condition starts its alerts afresh.
            entries = entries.filter { $0.key.definitionID != definition.id }
            forgetState(definitionID: definition.id)
        }
        install(definition, body: body)
        updateFeed()
        try await evaluateStanding(definition)
        return definition
    }

    /// Deletes a definition and its alerts.
    func remove(tenantID: String, id: String) async throws -> Bool {
        guard try await catalog.deleteAlertDefinition(tenantID: tenantID, id: id) else { return false }
        if let old = index.definitions[id] {
            count(old, by: -1)
            forgetSeriesDefinitions(of: old)
        }
        index.remove(id: id)
        targets[id] = nil
        escalationTargets[id] = nil
        entries = entries.filter { $0.key.definitionID != id }
        forgetState(definitionID: id)
        updateFeed()
        return true
    }

    /// Definitions of a tenant.
    func definitions(tenantID: String) -> [AlertDefinition] {
        index.definitions.values.filter { $0.tenantID == tenantID }.sorted { $0.name < $1.name }
    }

    private func install(_ definition: AlertDefinition, body: API.AlertDefinition) {
        if let old = index.definitions[definition.id] {
            count(old, by: -1)
            forgetSeriesDefinitions(of: old)
        }
        index.add(definition)
        count(definition, by: 1)
        forgetSeriesDefinitions(of: definition)
        targets[definition.id] = body.notify ?? []
        escalationTargets[definition.id] = (body.escalation ?? []).map(\.notify)
    }

    /// Counts a definition in (1) or out (-1) of its tenant's metric and composite counts.
    private func count(_ definition: AlertDefinition, by step: Int) {
        if !definition.condition.metrics.isEmpty { metricDefinitionCounts[definition.tenantID, default: 0] += step }
        if case .composite = definition.condition { compositeDefinitionCounts[definition.tenantID, default: 0] += step }
    }

    /// Forgets which series the definition's metrics reach (they are matched again on their next sample).
    private func forgetSeriesDefinitions(of definition: AlertDefinition) {
        for metric in definition.condition.metrics {
            seriesDefinitionCount -= seriesDefinitions.removeValue(forKey: metric)?.count ?? 0
        }
    }

    private func updateFeed() {
        feed.setTenants(Set(metricDefinitionCounts.filter { $0.value > 0 }.keys))
        compositeTenants = Set(compositeDefinitionCounts.filter { $0.value > 0 }.keys)
    }

    /// Forgets what a definition's conditions remember (its condition changed or it was deleted).
    private func forgetState(definitionID: String) {
        forgetMetricState(definitionID: definitionID)
        partHolding = partHolding.filter { $0.key.definitionID != definitionID }
        partEventUntil = partEventUntil.filter { $0.key.definitionID != definitionID }
        compositeSubjects[definitionID] = nil
        lastResend = lastResend.filter { $0.key.definitionID != definitionID }
    }

    /// A person acknowledges an alert.
    func acknowledge(tenantID: String, alertID: String, by actor: String) async throws -> AlertEntry? {
        try await act(tenantID: tenantID, alertID: alertID) { entry, definition, now throws(LifecycleError) in
            try entry.lifecycle.acknowledge(by: actor, atMs: now, policy: definition.policy)
        }
    }

    /// A person resolves an alert.
    func resolve(tenantID: String, alertID: String, by actor: String) async throws -> AlertEntry? {
        try await act(tenantID: tenantID, alertID: alertID) { entry, definition, now throws(LifecycleError) in
            try entry.lifecycle.resolve(by: actor, atMs: now, policy: definition.policy)
        }
    }

    private func act(tenantID: String, alertID: String,
                     _ action: (inout AlertEntry, AlertDefinition, Int64) throws(LifecycleError) -> [AlertTransition]) async throws -> AlertEntry? {
        guard let key = entries.first(where: { $0.value.id == alertID && $0.value.tenantID == tenantID })?.key,
              var entry = entries[key], let definition = index.definitions[key.definitionID] else { return nil }
        let now = clock()
        let transitions = try action(&entry, definition, now)
        entries[key] = entry
        try await commit([await change(entry, definition, transitions, nowMs: now)], nowMs: now)
        return entries[key]
    }

    /// Reads the silences again (after one was added or removed).
    func reloadSilences() async throws {
        silences = try await catalog.silences(tenantID: nil).compactMap { row in
            try? JSONDecoder().decode(Silence.self, from: Data(row.bodyJSON.utf8))
        }
    }

    /// Advances time-based rules.
    func tick() async {
        let now = clock()
        var changes: [AlertChange] = []
        for (key, var entry) in entries where entry.needsTicks {
            guard let definition = index.definitions[key.definitionID] else { continue }
            var transitions: [AlertTransition] = []
            if case .event(let condition) = definition.condition, let last = entry.lastMatchMs, let quiet = condition.resolveAfterMs,
               now.subtractingReportingOverflow(last).partialValue >= quiet {
                entry.lastMatchMs = nil
                transitions += entry.lifecycle.observe(active: false, value: nil, atMs: now, policy: definition.policy)
            }
            transitions += entry.lifecycle.tick(atMs: now, policy: definition.policy)
            guard !transitions.isEmpty else { continue }
            entries[key] = entry
            changes.append(await change(entry, definition, transitions, nowMs: now))
        }
        changes += await expireCompositeEvents(nowMs: now)
        changes += alertmanagerResends(nowMs: now)
        changes += await escalations(nowMs: now)
        await commitLogging(changes, nowMs: now)
    }

    /// Stores the changes of one step and publishes their timeline events.
    func commit(_ changes: [AlertChange], nowMs: Int64) async throws {
        guard !changes.isEmpty else { return }
        var all = changes
        let tenants = tenantsWithEndedRoots(changes)
        if !tenants.isEmpty { all += await releaseHeld(tenants: tenants, nowMs: nowMs) }
        let events = try await catalog.apply(all, nowMs: nowMs)
        sink.emit(events)
        await runPendingActions(nowMs: nowMs)
    }

    func commitLogging(_ changes: [AlertChange], nowMs: Int64) async {
        do {
            try await commit(changes, nowMs: nowMs)
        } catch {
            logger.error("alert changes could not be stored", metadata: ["changes": "\(changes.count)", "error": "\(error)"])
        }
    }
}
