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
            if silences.contains(where: { $0.tenantID == entry.tenantID && $0.covers(labels: entry.labels, lineage: lineage, atMs: nowMs) }) { continue }
            let transition = AlertTransition(from: entry.lifecycle.state, to: entry.lifecycle.state, atMs: entry.lifecycle.firingSinceMs ?? entry.lifecycle.sinceMs,
                                             reason: .conditionMet, notify: true)
            let resource = entry.resourceID.flatMap { facts[$0] }
            let payload = notification(entry, definition, transition, resource: resource)
            let payloadJSON = String(decoding: (try? JSONEncoder().encode(payload)) ?? Data(), as: UTF8.self)
            var rows: [NotificationRecord] = []
            for (index, target) in targets.enumerated() where target.type == "alertmanager" {
                let targetJSON = String(decoding: (try? JSONEncoder().encode(target)) ?? Data(), as: UTF8.self)
                rows.append(NotificationRecord(id: "\(payload.id)-\(index)-resend-\(nowMs)", tenantID: entry.tenantID,
                                               alertID: entry.id, targetJSON: targetJSON, payloadJSON: payloadJSON, createdMs: nowMs))
            }
            changes.append(AlertChange(alert: entry.record(definition: definition, nowMs: entry.lifecycle.sinceMs), history: [],
                                       notifications: rows, events: []))
        }
        return changes
    }
}
