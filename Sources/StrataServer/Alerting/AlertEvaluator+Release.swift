import StrataAlerting
import StrataCatalog
import StrataCore

/// When an availability alert ends, the alerts held beneath it are decided again: held beneath another ancestor
/// that is still down, or released — one that still holds is told now, on its own, as `released`; one that ended
/// while held stays untold.
extension AlertEvaluator {
    /// Tenants in which `changes` end an availability alert (the root of possibly held alerts).
    func tenantsWithEndedRoots(_ changes: [AlertChange]) -> Set<String> {
        var tenants = Set<String>()
        for change in changes {
            guard let definition = index.definitions[change.alert.definitionID], case .availability = definition.condition,
                  !(AlertState(rawValue: change.alert.state)?.isOpen ?? false) else { continue }
            tenants.insert(change.alert.tenantID)
        }
        return tenants
    }

    /// The changes that re-hold or release the held alerts of `tenants`.
    func releaseHeld(tenants: Set<String>, nowMs: Int64) async -> [AlertChange] {
        var changes: [AlertChange] = []
        var open: [String: Set<String>] = [:]
        for tenant in tenants { open[tenant] = openAvailability(tenant) }
        for key in entries.keys.sorted(by: { $0.subject < $1.subject }) {
            guard var entry = entries[key], let holder = entry.heldBy, let roots = open[entry.tenantID],
                  let definition = index.definitions[key.definitionID] else { continue }
            var ancestors: [String] = []
            if let resourceID = entry.resourceID { ancestors = await resourceFacts(resourceID, tenantID: entry.tenantID)?.ancestors ?? [] }
            let next = TopologySuppression.rehold(holder: holder, ancestors: ancestors, openAvailability: roots)
            guard next != holder else { continue }
            entry.heldBy = next
            entries[key] = entry
            if next == nil, entry.lifecycle.state.isOpen {
                let released = AlertTransition(from: entry.lifecycle.state, to: entry.lifecycle.state, atMs: nowMs, reason: .released, notify: true)
                changes.append(await change(entry, definition, [released], nowMs: nowMs))
            } else {
                changes.append(AlertChange(alert: entry.record(definition: definition, nowMs: nowMs), history: [], notifications: [], events: []))
            }
        }
        return changes
    }
}
