import Foundation
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore

/// One series of an alerting rule's evaluation: the alert's labels (series labels, the rule's labels rendered,
/// `alertname`), its rendered annotations and its value.
struct RuleSeries: Sendable {
    var labels: [String: String]
    var annotations: [String: String]
    var value: Double

    /// The alert's subject: its label set.
    var subject: String { Self.subject(labels) }

    static func subject(_ labels: [String: String]) -> String {
        StableID(parts: ["rule-alert"] + labels.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }).description
    }
}

/// Where one alert of a rule stands, for `ALERTS`, `/prometheus/api/v1/alerts` and `/rules`.
struct RuleAlertState: Sendable {
    var labels: [String: String]
    var annotations: [String: String]
    /// `pending` or `firing` (acknowledged alerts count as firing).
    var state: String
    /// When its condition started to hold, Unix ms.
    var activeAtMs: Int64
    var value: Double
}

extension AlertEvaluator {
    /// Replaces the alerting rules of `origins` (rule files) with `definitions`, whose alerts are told to `targets` of
    /// their tenant. Alerts of rules that are gone are resolved and forgotten; alerts stored before a restart resume
    /// when their rule is installed again.
    func installRules(_ definitions: [AlertDefinition], origins: Set<String>, targets tenantTargets: [String: [API.NotifyTarget]]) async {
        let now = clock()
        let incoming = Set(definitions.map(\.id))
        var changes: [AlertChange] = []
        for old in index.definitions.values where origins.contains(old.origin) && !incoming.contains(old.id) {
            guard case .rule = old.condition else { continue }
            for (key, var entry) in entries where key.definitionID == old.id {
                let transitions = entry.lifecycle.observe(active: false, value: nil, atMs: now, policy: old.policy)
                if !transitions.isEmpty { changes.append(await change(entry, old, transitions, nowMs: now)) }
            }
            entries = entries.filter { $0.key.definitionID != old.id }
            index.remove(id: old.id)
            targets[old.id] = nil
        }
        for definition in definitions {
            if let old = index.definitions[definition.id], old.condition != definition.condition {
                entries = entries.filter { $0.key.definitionID != definition.id }
            }
            index.remove(id: definition.id)
            index.add(definition)
            targets[definition.id] = tenantTargets[definition.tenantID] ?? []
            for entry in parkedRuleEntries.removeValue(forKey: definition.id) ?? [] where entries[entry.key] == nil {
                entries[entry.key] = entry
            }
        }
        await commitLogging(changes, nowMs: now)
    }

    /// Records one evaluation of an alerting rule at `atMs`: each series holds its alert (created on first sight), alerts
    /// of series that are gone clear (after `keep_firing_for` for firing ones). Returns the rule's pending and firing alerts.
    func observeRule(_ definitionID: String, series: [RuleSeries], atMs: Int64) async -> [RuleAlertState] {
        guard let definition = index.definitions[definitionID], case .rule(let condition) = definition.condition else { return [] }
        var changes: [AlertChange] = []
        var present = Set<String>()
        for item in series {
            let key = AlertEntry.Key(definitionID: definitionID, subject: item.subject)
            present.insert(key.subject)
            var entry = entries[key] ?? AlertEntry(definitionID: definitionID, tenantID: definition.tenantID, subject: key.subject, resourceID: nil)
            entry.labels = item.labels
            entry.annotations = item.annotations
            entry.lastActiveMs = atMs
            let transitions = entry.lifecycle.observe(active: true, value: item.value, atMs: atMs, policy: definition.policy)
            entries[key] = entry
            if !transitions.isEmpty { changes.append(await change(entry, definition, transitions, nowMs: atMs)) }
        }
        for (key, var entry) in entries where key.definitionID == definitionID && !present.contains(key.subject) {
            guard entry.lifecycle.state == .pending || entry.lifecycle.state.isOpen else { continue }
            // keep_firing_for: a firing alert whose series is gone stays firing for a while.
            let (since, overflow) = atMs.subtractingReportingOverflow(entry.lastActiveMs ?? atMs)
            if entry.lifecycle.state.isOpen, condition.keepFiringForMs > 0, !overflow, since < condition.keepFiringForMs { continue }
            let transitions = entry.lifecycle.observe(active: false, value: nil, atMs: atMs, policy: definition.policy)
            entries[key] = entry
            if !transitions.isEmpty { changes.append(await change(entry, definition, transitions, nowMs: atMs)) }
        }
        await commitLogging(changes, nowMs: atMs)
        return ruleAlerts(definitionID)
    }

    /// The pending and firing alerts of a rule.
    func ruleAlerts(_ definitionID: String) -> [RuleAlertState] {
        entries.values.filter { $0.definitionID == definitionID }.compactMap { entry in
            let state = entry.lifecycle.state
            guard state == .pending || state.isOpen else { return nil }
            return RuleAlertState(labels: entry.labels, annotations: entry.annotations, state: state == .pending ? "pending" : "firing",
                                  activeAtMs: entry.lifecycle.startsAtMs ?? entry.lifecycle.sinceMs, value: entry.lifecycle.lastValue ?? .nan)
        }.sorted { RuleSeries.subject($0.labels) < RuleSeries.subject($1.labels) }
    }
}
