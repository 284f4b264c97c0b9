import StrataAlerting
import StrataCatalog

extension AlertEvaluator {
    /// The escalation sends that fell due (docs/alerting.md, "Escalation"), checked on every tick: for each firing,
    /// unacknowledged alert of a definition with an escalation chain, a history row per due send and, unless the alert
    /// is flapping, silenced or held beneath a down ancestor (then the row says so), outbox rows for the step's
    /// targets. Outbox ids are fixed by the alert, its firing start, the step, the send and the target
    /// (`<alert>-<firing ms>-esc<step>.<send>-<target>`), so a send computed again after a restart stores nothing
    /// twice. The alert rows are stored unchanged.
    func escalations(nowMs: Int64) async -> [AlertChange] {
        for key in escalationTrackers.keys where entries[key]?.lifecycle.state.isOpen != true { escalationTrackers[key] = nil }
        var changes: [AlertChange] = []
        for (key, entry) in entries where entry.lifecycle.state.isOpen {
            guard let definition = index.definitions[key.definitionID], !definition.escalation.isEmpty else {
                escalationTrackers[key] = nil
                continue
            }
            var tracker = escalationTrackers[key] ?? EscalationTracker()
            let sends = tracker.advance(entry.lifecycle, nowMs: nowMs, policy: definition.escalation)
            escalationTrackers[key] = tracker
            if !sends.isEmpty { changes.append(await escalationChange(entry, definition, sends, nowMs: nowMs)) }
        }
        return changes
    }

    /// After a restart: each firing alert with an escalation chain resumes after the last escalation its history
    /// records in the current firing episode (the history row is stored with the outbox rows, in one transaction), so
    /// what was handled before is not handled again and what fell due meanwhile is sent once per step.
    func resumeEscalations() async {
        for (key, entry) in entries where entry.lifecycle.state == .firing {
            guard let definition = index.definitions[key.definitionID], !definition.escalation.isEmpty,
                  let since = entry.lifecycle.firingSinceMs else { continue }
            do {
                let history = try await catalog.alertHistory(tenantID: entry.tenantID, id: entry.id)
                let last = history.last { $0.reason == EscalationSend.historyReason && $0.atMs >= since }
                escalationTrackers[key] = EscalationTracker(episodeMs: since, handledThroughMs: last?.atMs)
            } catch {
                logger.error("alert history unreadable; escalation resumes from the firing start",
                             metadata: ["alert": "\(entry.id)", "error": "\(error)"])
            }
        }
    }

    /// The stored form of an entry's due escalation sends: history rows and outbox rows for what is told.
    func escalationChange(_ entry: AlertEntry, _ definition: AlertDefinition, _ sends: [EscalationSend], nowMs: Int64) async -> AlertChange {
        var resource: ResourceFacts?
        if let resourceID = entry.resourceID { resource = await resourceFacts(resourceID, tenantID: entry.tenantID) }
        let lineage = entry.resourceID.map { [$0] + (resource?.ancestors ?? []) } ?? []
        let state = entry.lifecycle.state
        let firingSince = entry.lifecycle.firingSinceMs ?? entry.lifecycle.sinceMs
        var history: [AlertHistoryRecord] = []
        var notifications: [NotificationRecord] = []
        for send in sends {
            let steps = definition.escalation.steps
            let times = send.step < steps.count ? steps[send.step].times : 1
            var note = "step \(send.step + 1) of \(steps.count)" + (times > 1 ? ", repeat \(send.send + 1) of \(times)" : "")
            var quiet: String?
            if entry.lifecycle.flapping {
                quiet = "flapping"
            } else if let silence = silence(covering: entry, lineage: lineage, atMs: nowMs) {
                quiet = "silenced by \(silence.id)"
            } else if let holder = entry.heldBy {
                quiet = "held beneath the alert of \(holder)"
            }
            if let quiet { note += "; \(quiet)" }
            history.append(AlertHistoryRecord(alertID: entry.id, atMs: nowMs, from: state.rawValue, to: state.rawValue,
                                              reason: EscalationSend.historyReason, notified: quiet == nil, note: note))
            guard quiet == nil else { continue }
            let transition = AlertTransition(from: state, to: .firing, atMs: nowMs, reason: .conditionMet, notify: true)
            var payload = notification(entry, definition, transition, resource: resource)
            payload.id = "\(entry.id)-\(firingSince)-esc\(send.step + 1).\(send.send + 1)"
            payload.escalationStep = send.step + 1
            payload.escalationRepeat = send.send + 1
            let targets = escalationTargets[definition.id] ?? []
            notifications += outboxRows(payload, entry: entry, definitionID: definition.id,
                                        to: send.step < targets.count ? targets[send.step] : [], nowMs: nowMs)
        }
        return AlertChange(alert: entry.record(definition: definition, nowMs: entry.lifecycle.sinceMs), history: history,
                           notifications: notifications, events: [])
    }
}

extension AlertEvaluator {
    /// Forgets where every alert's escalation stands, as a start without readable history would (tests check that
    /// recomputing from the firing start stores no outbox row twice).
    func forgetEscalationProgress() { escalationTrackers.removeAll() }
}
