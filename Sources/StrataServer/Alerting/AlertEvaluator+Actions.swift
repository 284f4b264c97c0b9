import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import StrataInventory

/// Definitions that name a control action run it on the alert's resource when the alert fires and is told (not
/// silenced, not held beneath a down ancestor), after the firing is stored, at most once per resource within the
/// action's interval — counted from the commands already stored, so a restart does not run it again early.
extension AlertEvaluator {
    /// One action to run once the step's changes are stored.
    struct PendingAction: Sendable {
        var definition: AlertDefinition
        var alert: AlertEntry
        var resourceID: String
    }

    /// Notes the actions `transitions` call for.
    func noteActions(_ entry: AlertEntry, _ definition: AlertDefinition, told transition: AlertTransition) {
        guard definition.action != nil, transition.to == .firing, transition.from != .firing, let resourceID = entry.resourceID else { return }
        pendingActions.append(PendingAction(definition: definition, alert: entry, resourceID: resourceID))
    }

    /// Runs the noted actions; a refusal is recorded in the alert's history and on the resource's timeline.
    func runPendingActions(nowMs: Int64) async {
        let actions = pendingActions
        pendingActions.removeAll()
        guard let control, !actions.isEmpty else { return }
        var refusals: [AlertChange] = []
        for pending in actions {
            guard let action = pending.definition.action else { continue }
            let actor = "alert:\(pending.definition.name)"
            let recent = (try? await catalog.commands(tenantID: pending.definition.tenantID, resourceID: pending.resourceID, limit: 100)) ?? []
            let last = recent.first { $0.requestedBy == actor && $0.action == action.name }?.createdMs
            guard action.isDue(lastMs: last, nowMs: nowMs) else { continue }
            do {
                let request = API.ControlRequest(resource: pending.resourceID, action: action.name, parameters: action.parameters)
                let plan = try await control.plan(request, tenantID: pending.definition.tenantID)
                _ = try await control.queue(plan, tenantID: pending.definition.tenantID, actor: actor)
            } catch {
                let reason = (error as? APIError)?.message ?? "\(error)"
                logger.warning("alert action not run", metadata: ["definition": "\(pending.definition.name)", "action": "\(action.name)", "reason": "\(reason)"])
                let state = pending.alert.lifecycle.state.rawValue
                refusals.append(AlertChange(
                    alert: pending.alert.record(definition: pending.definition, nowMs: nowMs),
                    history: [AlertHistoryRecord(alertID: pending.alert.id, atMs: nowMs, from: state, to: state, reason: "action-refused", notified: false,
                                                 note: "control \(action.name) not run: \(reason)")],
                    notifications: [],
                    events: [InventoryEvent(resourceID: pending.resourceID, kind: .control, severity: .error,
                                            message: "control \(action.name) from alert \(pending.definition.name) not run: \(reason)")]))
            }
        }
        if !refusals.isEmpty { await commitLogging(refusals, nowMs: nowMs) }
    }
}
