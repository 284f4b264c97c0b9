import Foundation
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import StrataInventory

extension AlertEvaluator {
    /// The stored form of an entry's transitions: the alert row, its history, outbox rows for what is told (not
    /// silenced, not held beneath a down ancestor) and timeline events.
    func change(_ entry: AlertEntry, _ definition: AlertDefinition, _ transitions: [AlertTransition], nowMs: Int64) async -> AlertChange {
        var entry = entry
        var resource: ResourceFacts?
        if let resourceID = entry.resourceID { resource = await resourceFacts(resourceID, tenantID: entry.tenantID) }
        entry.labels = labels(of: entry, definition, resource: resource)
        entry.annotations = render(definition, entry: entry, resource: resource)
        let lineage = entry.resourceID.map { [$0] + (resource?.ancestors ?? []) } ?? []
        let opening = transitions.contains { $0.to == .firing }
        if opening || entry.heldBy == nil {
            entry.heldBy = TopologySuppression.holder(ancestors: resource?.ancestors ?? [], openAvailability: openAvailability(entry.tenantID))
        }
        entries[entry.key] = entry
        // The next firing episode is re-sent to Alertmanager on its own schedule.
        if !entry.lifecycle.state.isOpen { lastResend[entry.key] = nil }
        var history: [AlertHistoryRecord] = []
        var notifications: [NotificationRecord] = []
        var events: [InventoryEvent] = []
        for transition in transitions {
            var note: String?
            if transition.notify {
                if let silence = silence(covering: entry, lineage: lineage, atMs: nowMs) {
                    note = "silenced by \(silence.id)"
                } else if let holder = entry.heldBy {
                    note = "held beneath the alert of \(holder)"
                }
            }
            let told = transition.notify && note == nil
            history.append(AlertHistoryRecord(alertID: entry.id, atMs: transition.atMs, from: transition.from.rawValue, to: transition.to.rawValue,
                                              reason: transition.reason.rawValue, actor: transition.actor, notified: told, note: note))
            if told {
                noteActions(entry, definition, told: transition)
                notifications += outboxRows(notification(entry, definition, transition, resource: resource), entry: entry,
                                            definitionID: definition.id, nowMs: nowMs)
            }
            if let resourceID = entry.resourceID, transition.to != .pending, transition.to != .inactive {
                events.append(InventoryEvent(resourceID: resourceID, kind: .alert,
                                             severity: transition.to == .firing ? definition.severity : .info,
                                             message: message(definition, transition, entry: entry)))
            }
        }
        return AlertChange(alert: entry.record(definition: definition, nowMs: nowMs), history: history, notifications: notifications, events: events)
    }

    /// The silence of the entry's tenant that covers it at `atMs`, if any.
    func silence(covering entry: AlertEntry, lineage: [String], atMs: Int64) -> Silence? {
        silences.first { $0.tenantID == entry.tenantID && $0.covers(labels: entry.labels, lineage: lineage, atMs: atMs) }
    }

    /// Outbox rows telling `payload` to the definition's targets, or to `recipients` when given (only those of `type`
    /// when given), one per target, ids `payload.id-INDEX` followed by `suffix`.
    func outboxRows(_ payload: AlertNotification, entry: AlertEntry, definitionID: String, to recipients: [API.NotifyTarget]? = nil,
                    type: String? = nil, suffix: String = "", nowMs: Int64) -> [NotificationRecord] {
        let payloadJSON = String(decoding: (try? JSONEncoder().encode(payload)) ?? Data(), as: UTF8.self)
        return (recipients ?? targets[definitionID] ?? []).enumerated().compactMap { index, target in
            guard type == nil || target.type == type else { return nil }
            let targetJSON = String(decoding: (try? JSONEncoder().encode(target)) ?? Data(), as: UTF8.self)
            return NotificationRecord(id: "\(payload.id)-\(index)\(suffix)", tenantID: entry.tenantID, alertID: entry.id,
                                      targetJSON: targetJSON, payloadJSON: payloadJSON, createdMs: nowMs)
        }
    }

    /// Resources of a tenant with an open availability alert.
    func openAvailability(_ tenantID: String) -> Set<String> {
        var open = Set<String>()
        for entry in entries.values where entry.tenantID == tenantID && entry.lifecycle.state.isOpen {
            guard let resourceID = entry.resourceID, let definition = index.definitions[entry.definitionID],
                  case .availability = definition.condition else { continue }
            open.insert(resourceID)
        }
        return open
    }

    func labels(of entry: AlertEntry, _ definition: AlertDefinition, resource: ResourceFacts?) -> [String: String] {
        // A rule's alerts carry Prometheus's labels, set by the rule engine.
        if case .rule = definition.condition { return entry.labels }
        var labels = seriesFacts[StableID(hex: entry.subject) ?? StableID(rawValue: 0)]?.labels ?? [:]
        labels["__tenant__"] = nil
        labels.merge(definition.labels) { _, new in new }
        labels["alertname"] = definition.name
        labels["severity"] = definition.severity.name
        if let resource {
            labels["resource_id"] = resource.scoped.id
            labels["resource_name"] = resource.name
            labels["resource_kind"] = resource.scoped.kind.rawValue
        }
        return labels
    }

    func render(_ definition: AlertDefinition, entry: AlertEntry, resource: ResourceFacts?) -> [String: String] {
        if case .rule = definition.condition { return entry.annotations }
        var fixed: [String: String] = [:]
        if case .trend = definition.condition, let crossing = entry.projectedCrossingMs {
            // The projection travels with every trend alert, whatever its definition's templates say.
            fixed["projected_crossing"] = NotificationText.rfc3339(ms: crossing)
        }
        if case .baseline = definition.condition, let expected = entry.expected, let score = entry.score {
            // What was usual at this hour travels with every baseline alert.
            fixed["expected"] = NumberText.human(expected)
            fixed["deviations"] = NumberText.human((score * 10).rounded() / 10)
        }
        guard !definition.annotations.isEmpty else { return fixed }
        var fields: [String: String] = ["definition.name": definition.name, "severity": definition.severity.name,
                                        "state": entry.lifecycle.state.rawValue]
        if let crossing = fixed["projected_crossing"] { fields["crossing"] = crossing }
        fields["expected"] = fixed["expected"]
        fields["deviations"] = fixed["deviations"]
        if let value = entry.lifecycle.lastValue { fields["value"] = NumberText.human(value) }
        if let resource {
            fields["resource.name"] = resource.name
            fields["resource.id"] = resource.scoped.id
            fields["resource.kind"] = resource.scoped.kind.rawValue
        }
        for (name, value) in entry.labels { fields["labels.\(name)"] = value }
        fields["labels"] = entry.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        let template = AnnotationTemplate(fields: fields)
        return definition.annotations.mapValues(template.render).merging(fixed) { _, projected in projected }
    }

    func message(_ definition: AlertDefinition, _ transition: AlertTransition, entry: AlertEntry) -> String {
        let what: String
        switch transition.reason {
        case .flapping: what = "is flapping (\(definition.policy.flapThreshold) changes within \(DurationText.format(definition.policy.flapWindowMs)))"
        case .flapEnded: what = "stopped flapping; it is \(transition.to.rawValue)"
        case .acknowledged: what = "acknowledged by \(transition.actor ?? "someone")"
        case .resolvedByHand: what = "resolved by \(transition.actor ?? "someone")"
        case .released: what = "released: the availability alert above it ended and it is still \(transition.to.rawValue)"
        default: what = transition.to.rawValue
        }
        let summary = entry.annotations["summary"].map { ": \($0)" }
            ?? entry.annotations["projected_crossing"].map { ": projected to cross at \($0)" }
            ?? entry.annotations["expected"].map { ": usually \($0) at this hour, \(entry.annotations["deviations"] ?? "?") spreads away" } ?? ""
        let value = entry.lifecycle.lastValue.map { " (value \(NumberText.human($0)))" } ?? ""
        return "alert \(definition.name) \(what)\(value)\(summary)"
    }

    func notification(_ entry: AlertEntry, _ definition: AlertDefinition, _ transition: AlertTransition, resource: ResourceFacts?) -> AlertNotification {
        let status: String
        switch transition.reason {
        case .flapping: status = "flapping"
        default: status = transition.to == .acknowledged ? "acknowledged" : (transition.to == .resolved ? "resolved" : "firing")
        }
        return AlertNotification(id: "\(entry.id)-\(transition.atMs)-\(transition.to.rawValue)-\(transition.reason.rawValue)", alertID: entry.id,
                                 definitionID: definition.id, definitionName: definition.name, tenantID: entry.tenantID, status: status,
                                 severity: definition.severity.name, resourceID: resource?.scoped.id, resourceName: resource?.name,
                                 resourceKind: resource?.scoped.kind.rawValue, labels: entry.labels, annotations: entry.annotations,
                                 value: entry.lifecycle.lastValue.flatMap { $0.isFinite ? $0 : nil },
                                 startsAtMs: entry.lifecycle.startsAtMs ?? transition.atMs,
                                 endsAtMs: transition.to == .resolved ? transition.atMs : nil, transitionAtMs: transition.atMs)
    }
}
