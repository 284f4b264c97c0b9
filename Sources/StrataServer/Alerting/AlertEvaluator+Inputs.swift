import StrataAlerting
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

extension AlertEvaluator {
    /// Evaluates committed samples: each reaches only the threshold definitions on its metric that cover it.
    func process(_ items: [AlertFeed.Item]) async {
        let now = clock()
        var changes: [AlertChange] = []
        for item in items {
            let batch = item.batch
            for index in 0..<batch.count {
                let id = batch.seriesIDs[index]
                let definitions = await definitionsFor(series: id, tenantID: item.tenantID, labels: batch.labels[id])
                for definition in definitions {
                    let key = AlertEntry.Key(definitionID: definition.id, subject: id.description)
                    let known = entries[key]
                    var readHistory = false
                    guard let judgement = await judge(definition.condition, key: key, series: id, timestampMs: batch.timestamps[index],
                                                      value: batch.values[index], open: known?.lifecycle.state.isOpen ?? false,
                                                      readHistory: &readHistory) else { continue }
                    // After reading stored history the actor may have changed the entry meanwhile: read it again.
                    var entry = (readHistory ? entries[key] : known) ?? AlertEntry(definitionID: definition.id, tenantID: item.tenantID,
                                                                                   subject: key.subject, resourceID: seriesFacts[id]?.resourceID)
                    if case .trend = definition.condition { entry.projectedCrossingMs = judgement.crossingMs }
                    if case .baseline = definition.condition {
                        entry.expected = judgement.expected
                        entry.score = judgement.score
                    }
                    let transitions = entry.lifecycle.observe(active: judgement.active, value: judgement.value, atMs: now, policy: definition.policy)
                    entries[key] = entry
                    if !transitions.isEmpty { changes.append(await change(entry, definition, transitions, nowMs: now)) }
                }
                guard compositeTenants.contains(item.tenantID) else { continue }
                changes += await processComposites(series: id, tenantID: item.tenantID, timestampMs: batch.timestamps[index],
                                                   value: batch.values[index], nowMs: now)
            }
        }
        await commitLogging(changes, nowMs: now)
    }

    /// The threshold definitions that cover a series (computed once per series and kept until definitions change).
    func definitionsFor(series id: StableID, tenantID: String, labels: Labels?) async -> [AlertDefinition] {
        guard let facts = await facts(ofSeries: id, labels: labels) else { return [] }
        if let known = seriesDefinitions[facts.metric]?[id] { return known.compactMap { index.definitions[$0] } }
        var matched: [String] = []
        for definition in index.thresholds(metric: facts.metric, tenantID: tenantID) {
            guard let wanted = definition.condition.seriesLabels, wanted.allSatisfy({ facts.labels[$0.key] == $0.value }) else { continue }
            if case .series = definition.scope {
                if definition.scope.covers(labels: facts.labels) { matched.append(definition.id) }
            } else if let resourceID = facts.resourceID {
                // A resource the catalog does not know yet (its first batch is being stored): decided again next time.
                guard let resource = await resourceFacts(resourceID, tenantID: tenantID) else { return [] }
                if await covers(definition.scope, resource) { matched.append(definition.id) }
            }
        }
        if seriesDefinitionCount >= Self.maxSeriesFacts {
            seriesDefinitions.removeAll(keepingCapacity: true)
            seriesDefinitionCount = 0
        }
        if seriesDefinitions[facts.metric, default: [:]].updateValue(matched, forKey: id) == nil { seriesDefinitionCount += 1 }
        return matched.compactMap { index.definitions[$0] }
    }

    /// What the evaluator knows of a series (its labels read from the store once, then kept).
    func facts(ofSeries id: StableID, labels: Labels?) async -> SeriesFacts? {
        if let known = seriesFacts[id] { return known }
        var known = labels
        if known == nil { known = await querier.labels(of: id) }
        guard let labels = known else { return nil }
        var map: [String: String] = [:]
        for label in labels.pairs { map[label.name] = label.value }
        let facts = SeriesFacts(metric: map["__name__"] ?? "", resourceID: map["resource_id"], labels: map)
        if seriesFacts.count >= Self.maxSeriesFacts { seriesFacts.removeAll(keepingCapacity: true) }
        seriesFacts[id] = facts
        return facts
    }

    /// Evaluates stored events: availability changes for availability definitions, the rest for event definitions.
    func process(_ events: [EventRecord]) async {
        let now = clock()
        var changes: [AlertChange] = []
        // Shallow resources first, so a platform's alert is open before its servers' alerts decide whether they are held.
        var ordered: [(event: EventRecord, depth: Int)] = []
        // Only events some definition of their tenant can use: a flood of log records in a tenant without event
        // definitions costs a lookup each, not a catalog read.
        for event in events where event.kind != .alert && concerns(event) {
            var depth = 0
            if let resourceID = event.resourceID { depth = await resourceFacts(resourceID, tenantID: event.tenantID)?.ancestors.count ?? 0 }
            ordered.append((event, depth))
        }
        ordered.sort { $0.depth < $1.depth }
        for (event, _) in ordered {
            guard let resourceID = event.resourceID, let resource = await resourceFacts(resourceID, tenantID: event.tenantID, refresh: event.kind == .availability) else { continue }
            if event.kind == .availability {
                changes += await observeAvailability(resource, tenantID: event.tenantID, nowMs: now)
            }
            for definition in index.events(kind: event.kind.rawValue, tenantID: event.tenantID) {
                guard case .event(let condition) = definition.condition, await covers(definition.scope, resource),
                      condition.matches(kind: event.kind.rawValue, severity: event.severity, message: event.message, path: event.source) else { continue }
                let key = AlertEntry.Key(definitionID: definition.id, subject: resourceID)
                var entry = entries[key] ?? AlertEntry(definitionID: definition.id, tenantID: event.tenantID, subject: resourceID, resourceID: resourceID)
                entry.lastMatchMs = now
                let transitions = entry.lifecycle.observe(active: true, value: nil, atMs: now, policy: definition.policy)
                // Without `resolveAfter` the alert stays open until a person resolves it.
                entries[key] = entry
                if !transitions.isEmpty { changes.append(await change(entry, definition, transitions, nowMs: now)) }
            }
            if compositeTenants.contains(event.tenantID) { changes += await processCompositeEvent(event, resource: resource, nowMs: now) }
        }
        await commitLogging(changes, nowMs: now)
    }

    /// Whether any definition of the event's tenant can use it.
    func concerns(_ event: EventRecord) -> Bool {
        if event.kind == .availability, !index.availabilityDefinitions(tenantID: event.tenantID).isEmpty { return true }
        return !index.events(kind: event.kind.rawValue, tenantID: event.tenantID).isEmpty
    }

    /// Observes a resource's availability for every availability definition covering it.
    func observeAvailability(_ resource: ResourceFacts, tenantID: String, nowMs: Int64) async -> [AlertChange] {
        var changes: [AlertChange] = []
        for definition in index.availabilityDefinitions(tenantID: tenantID) {
            guard case .availability(let condition) = definition.condition, await covers(definition.scope, resource) else { continue }
            let active = Self.unavailable(resource, condition)
            let key = AlertEntry.Key(definitionID: definition.id, subject: resource.scoped.id)
            guard active || entries[key] != nil else { continue }
            var entry = entries[key] ?? AlertEntry(definitionID: definition.id, tenantID: tenantID, subject: resource.scoped.id, resourceID: resource.scoped.id)
            let transitions = entry.lifecycle.observe(active: active, value: active ? 0 : 1, atMs: nowMs, policy: definition.policy)
            entries[key] = entry
            if !transitions.isEmpty { changes.append(await change(entry, definition, transitions, nowMs: nowMs)) }
        }
        return changes
    }

    /// Evaluates an availability definition against the resources that exist when it is defined (or at start).
    func evaluateStanding(_ definition: AlertDefinition) async throws {
        // A composite with an availability part on its own resource is judged on the resources there are, too.
        var composite: (condition: CompositeCondition, part: CompositeCondition.Part)?
        switch definition.condition {
        case .availability: break
        case .composite(let condition):
            guard let part = condition.parts.first(where: { part in
                if case .availability = part.condition { return part.layer == .own }
                return false
            }) else { return }
            composite = (condition, part)
        default: return
        }
        var query = ResourceQuery()
        switch definition.scope {
        case .kind(let kind): query.kind = kind
        case .serverType: query.kind = .server
        default: break
        }
        query.limit = 100_000
        let now = clock()
        var changes: [AlertChange] = []
        for record in try await catalog.resources(tenantID: definition.tenantID, query: query) where record.removedMs == nil {
            guard let resource = await resourceFacts(record.id, tenantID: definition.tenantID, refresh: true) else { continue }
            if let composite {
                changes += await judgeSubjects(definition, composite.condition, part: composite.part, target: record.id, nowMs: now)
            } else {
                changes += await observeAvailability(resource, tenantID: definition.tenantID, nowMs: now)
            }
        }
        try await commit(changes, nowMs: now)
    }

    /// Whether a scope covers a resource (groups cover their members and everything beneath them).
    func covers(_ scope: AlertScope, _ resource: ResourceFacts) async -> Bool {
        guard case .group(let group) = scope else { return scope.covers(resource.scoped) }
        let now = clock()
        var members = groups[group]
        if members == nil || now.subtractingReportingOverflow(members!.fetchedMs).partialValue > Self.factsTTLMs {
            let ids = (try? await catalog.groupMembers(tenantID: resource.tenantID, groupID: group)) ?? nil
            members = (Set(ids ?? []), now)
            groups[group] = members
        }
        return ([resource.scoped.id] + resource.ancestors).contains(where: members!.members.contains)
    }

    /// What the evaluator knows of a resource, from the catalog at most every `factsTTLMs` (or now, when `refresh`).
    func resourceFacts(_ id: String, tenantID: String, refresh: Bool = false) async -> ResourceFacts? {
        let now = clock()
        if !refresh, let known = facts[id], now.subtractingReportingOverflow(known.fetchedMs).partialValue < Self.factsTTLMs { return known }
        guard let record = try? await catalog.resource(tenantID: tenantID, id: id) else { return facts[id] }
        var ancestors: [String] = []
        var parent = record.parentID
        while let current = parent, ancestors.count < 16, !ancestors.contains(current) {
            ancestors.append(current)
            parent = (try? await catalog.resource(tenantID: tenantID, id: current))?.parentID
        }
        let serverType = record.kind == .server ? (try? PropertyValue(json: record.propertiesJSON))?["type"]?.stringValue : nil
        let known = ResourceFacts(tenantID: tenantID, scoped: ScopedResource(id: id, kind: record.kind, serverType: serverType), name: record.name,
                                  availability: record.availability, ancestors: ancestors, fetchedMs: now)
        facts[id] = known
        return known
    }
}
