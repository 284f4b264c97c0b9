import StrataAlerting
import StrataCatalog
import StrataCore
import StrataInventory
import StrataTSDB

/// Composite conditions: each part keeps whether it holds on the resource it watches (a metric part per series, an
/// event part until its hold runs out, an availability part from the resource's availability); whenever a part
/// changes, the alerts of the resources whose stack contains that resource are judged again.
extension AlertEvaluator {
    /// One part of a composite on one resource.
    struct PartKey: Hashable, Sendable {
        var definitionID: String
        var part: Int
        var resourceID: String
    }

    /// Feeds one sample to the metric parts of the tenant's composites.
    func processComposites(series id: StableID, tenantID: String, timestampMs: Int64, value: Double, nowMs: Int64) async -> [AlertChange] {
        guard let facts = await facts(ofSeries: id, labels: nil), let resourceID = facts.resourceID else { return [] }
        var changes: [AlertChange] = []
        for definition in index.thresholds(metric: facts.metric, tenantID: tenantID) {
            guard case .composite(let composite) = definition.condition else { continue }
            for (number, part) in composite.parts.enumerated() where part.condition.metrics.contains(facts.metric) {
                guard let wanted = part.condition.seriesLabels, wanted.allSatisfy({ facts.labels[$0.key] == $0.value }) else { continue }
                let key = PartKey(definitionID: definition.id, part: number, resourceID: resourceID)
                var holding = partHolding[key] ?? []
                let stateKey = AlertEntry.Key(definitionID: "\(definition.id)#\(number)", subject: id.description)
                var readHistory = false
                guard let judgement = await judge(part.condition, key: stateKey, series: id, timestampMs: timestampMs, value: value,
                                                  open: holding.contains(id.description), readHistory: &readHistory) else { continue }
                if readHistory { holding = partHolding[key] ?? [] }
                var updated = holding
                if judgement.active { updated.insert(id.description) } else { updated.remove(id.description) }
                partHolding[key] = updated.isEmpty ? nil : updated
                let known = compositeSubjects[definition.id]?.contains(resourceID) ?? false
                guard updated.isEmpty != holding.isEmpty || (part.layer == .own && !known) else { continue }
                changes += await judgeSubjects(definition, composite, part: part, target: resourceID, nowMs: nowMs)
            }
        }
        return changes
    }

    /// Feeds a stored event to the event and availability parts of the tenant's composites.
    func processCompositeEvent(_ event: EventRecord, resource: ResourceFacts, nowMs: Int64) async -> [AlertChange] {
        var changes: [AlertChange] = []
        var definitions = index.events(kind: event.kind.rawValue, tenantID: event.tenantID)
        if event.kind == .availability { definitions += index.availabilityDefinitions(tenantID: event.tenantID) }
        var seen = Set<String>()
        for definition in definitions where seen.insert(definition.id).inserted {
            guard case .composite(let composite) = definition.condition else { continue }
            for (number, part) in composite.parts.enumerated() {
                switch part.condition {
                case .availability:
                    guard event.kind == .availability else { continue }
                case .event(let condition):
                    guard condition.matches(kind: event.kind.rawValue, severity: event.severity, message: event.message, path: event.source) else { continue }
                    let key = PartKey(definitionID: definition.id, part: number, resourceID: resource.scoped.id)
                    partEventUntil[key] = nowMs.addingReportingOverflow(part.holdMs).partialValue
                default:
                    continue
                }
                changes += await judgeSubjects(definition, composite, part: part, target: resource.scoped.id, nowMs: nowMs)
            }
        }
        return changes
    }

    /// Event parts whose hold ran out: their composites are judged again.
    func expireCompositeEvents(nowMs: Int64) async -> [AlertChange] {
        let expired = partEventUntil.filter { $0.value <= nowMs }
        guard !expired.isEmpty else { return [] }
        var changes: [AlertChange] = []
        for key in expired.keys {
            partEventUntil[key] = nil
            guard let definition = index.definitions[key.definitionID], case .composite(let composite) = definition.condition,
                  composite.parts.indices.contains(key.part) else { continue }
            changes += await judgeSubjects(definition, composite, part: composite.parts[key.part], target: key.resourceID, nowMs: nowMs)
        }
        return changes
    }

    /// Judges again the alerts of every resource whose `part` watches `target`.
    func judgeSubjects(_ definition: AlertDefinition, _ composite: CompositeCondition, part: CompositeCondition.Part, target: String,
                       nowMs: Int64) async -> [AlertChange] {
        var subjects: [String] = []
        if part.layer == .own {
            guard let resource = await resourceFacts(target, tenantID: definition.tenantID), await covers(definition.scope, resource) else { return [] }
            compositeSubjects[definition.id, default: []].insert(target)
            subjects = [target]
        } else {
            for subject in compositeSubjects[definition.id] ?? [] where await part.layer.resolve(lineage(subject, tenantID: definition.tenantID)) == target {
                subjects.append(subject)
            }
        }
        var changes: [AlertChange] = []
        for subject in subjects.sorted() {
            if let change = await judgeComposite(definition, composite, subject: subject, nowMs: nowMs) { changes.append(change) }
        }
        return changes
    }

    /// Whether each part holds for `subject`, and the lifecycle's answer.
    func judgeComposite(_ definition: AlertDefinition, _ composite: CompositeCondition, subject: String, nowMs: Int64) async -> AlertChange? {
        let stack = await lineage(subject, tenantID: definition.tenantID)
        var states: [Bool?] = []
        for (number, part) in composite.parts.enumerated() {
            guard let target = part.layer.resolve(stack) else {
                states.append(false)
                continue
            }
            let key = PartKey(definitionID: definition.id, part: number, resourceID: target)
            switch part.condition {
            case .availability(let condition):
                guard let facts = await resourceFacts(target, tenantID: definition.tenantID) else {
                    states.append(nil)
                    continue
                }
                states.append(Self.unavailable(facts, condition))
            case .event:
                states.append((partEventUntil[key] ?? Int64.min) > nowMs)
            default:
                states.append(partHolding[key] != nil)
            }
        }
        let active = composite.holds(states)
        let key = AlertEntry.Key(definitionID: definition.id, subject: subject)
        guard active || entries[key] != nil else { return nil }
        var entry = entries[key] ?? AlertEntry(definitionID: definition.id, tenantID: definition.tenantID, subject: subject, resourceID: subject)
        let holding = Double(states.filter { $0 == true }.count)
        let transitions = entry.lifecycle.observe(active: active, value: holding, atMs: nowMs, policy: definition.policy)
        entries[key] = entry
        return transitions.isEmpty ? nil : await change(entry, definition, transitions, nowMs: nowMs)
    }

    /// A resource and its ancestors, nearest first, with their kinds.
    func lineage(_ id: String, tenantID: String) async -> [(id: String, kind: ResourceKind)] {
        guard let facts = await resourceFacts(id, tenantID: tenantID) else { return [] }
        var stack: [(id: String, kind: ResourceKind)] = [(id, facts.scoped.kind)]
        for ancestor in facts.ancestors {
            guard let known = await resourceFacts(ancestor, tenantID: tenantID) else { break }
            stack.append((ancestor, known.scoped.kind))
        }
        return stack
    }

    /// Whether a resource has the availability problem a condition names.
    static func unavailable(_ resource: ResourceFacts, _ condition: AvailabilityCondition) -> Bool {
        guard resource.availability == .down else { return false }
        switch condition.problem {
        case .down: return true
        case .agentSilent: return resource.scoped.kind == .platform
        case .unreachable: return resource.scoped.kind == .hypervisor
        }
    }
}
