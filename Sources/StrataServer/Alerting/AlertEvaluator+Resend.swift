import Foundation
import StrataAlerting
import StrataAPI
import StrataCatalog

extension AlertEvaluator {
    /// Sets how often open alerts are sent to Alertmanager targets again (tests shorten it).
    func setAlertmanagerResend(everyMs: Int64) { alertmanagerResendMs = max(0, everyMs) }

    /// Outbox rows that tell Alertmanager targets again about alerts still open and told (not silenced or held), once
    /// per `alertmanagerResendMs`; the alert rows are stored unchanged.
    func alertmanagerResends(nowMs: Int64) -> [AlertChange] {
        var changes: [AlertChange] = []
        for (key, entry) in entries where entry.lifecycle.state.isOpen && entry.heldBy == nil && !entry.lifecycle.flapping {
            guard let definition = index.definitions[key.definitionID],
                  let targets = targets[definition.id], targets.contains(where: { $0.type == "alertmanager" }),
                  nowMs.subtractingReportingOverflow(lastResend[key] ?? entry.lifecycle.sinceMs).partialValue >= alertmanagerResendMs else { continue }
            lastResend[key] = nowMs
            let lineage = entry.resourceID.map { [$0] + (facts[$0]?.ancestors ?? []) } ?? []
            if silence(covering: entry, lineage: lineage, atMs: nowMs) != nil { continue }
            let transition = AlertTransition(from: entry.lifecycle.state, to: entry.lifecycle.state, atMs: entry.lifecycle.firingSinceMs ?? entry.lifecycle.sinceMs,
                                             reason: .conditionMet, notify: true)
            let resource = entry.resourceID.flatMap { facts[$0] }
            let rows = outboxRows(notification(entry, definition, transition, resource: resource), entry: entry, definitionID: definition.id,
                                  type: "alertmanager", suffix: "-resend-\(nowMs)", nowMs: nowMs)
            changes.append(AlertChange(alert: entry.record(definition: definition, nowMs: entry.lifecycle.sinceMs), history: [],
                                       notifications: rows, events: []))
        }
        return changes
    }
}
