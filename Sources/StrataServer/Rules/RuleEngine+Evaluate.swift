import Foundation
import StrataCore
import StrataPromQL
import StrataPromQLEngine
import StrataRules
import StrataTSDB

extension RuleEngine {
    /// What a rule's evaluation failed on, as Prometheus words it in `lastError`.
    struct RuleFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Evaluates a group's rules in order at `atMs` (one timestamp for all, so each sees its predecessors' output).
    func evaluate(_ group: inout Group, atMs: Int64) async {
        let started = ContinuousClock.now
        let snapshot = group
        for position in group.rules.indices {
            let ruleStarted = ContinuousClock.now
            do {
                try await evaluate(&group.rules[position], group: snapshot, atMs: atMs)
                group.rules[position].health = "ok"
                group.rules[position].lastError = nil
            } catch {
                group.rules[position].health = "err"
                group.rules[position].lastError = error.description
                logger.warning("rule evaluation failed", metadata: ["file": "\(group.file)", "group": "\(group.group.name)",
                                                                     "rule": "\(group.rules[position].rule.name)", "error": "\(error.description)"])
            }
            group.rules[position].lastEvaluationMs = atMs
            group.rules[position].evaluationSeconds = Self.seconds(ContinuousClock.now - ruleStarted)
        }
        group.lastEvaluationMs = atMs
        group.evaluationSeconds = Self.seconds(ContinuousClock.now - started)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func evaluate(_ loaded: inout LoadedRule, group: Group, atMs: Int64) async throws(RuleFailure) {
        let samples = try await query(loaded.expr, tenantID: group.tenantID, atMs: atMs)
        if group.group.limit > 0, samples.count > group.group.limit {
            throw RuleFailure(description: "exceeded limit of \(group.group.limit) with \(samples.count) series")
        }
        switch loaded.rule.kind {
        case .recording:
            var seen = Set<Labels>()
            var output: [(Labels, Double)] = []
            for sample in samples {
                var labels = sample.labels.setting(Labels.metricName, loaded.rule.name)
                for (name, value) in loaded.rule.labels { labels = value.isEmpty ? Labels(labels.pairs.filter { $0.name != name }) : labels.setting(name, value) }
                guard seen.insert(labels).inserted else {
                    throw RuleFailure(description: "vector contains metrics with the same labelset after applying rule labels")
                }
                output.append((labels, sample.v))
            }
            try await write(output, previous: &loaded.written, tenantID: group.tenantID, atMs: atMs)
        case .alerting:
            guard let definitionID = loaded.definitionID else { return }
            var series: [RuleSeries] = []
            var seen = Set<[String: String]>()
            for sample in samples {
                var seriesLabels: [String: String] = [:]
                for label in sample.labels.pairs { seriesLabels[label.name] = label.value }
                var labels = seriesLabels
                labels[Labels.metricName] = nil
                for (name, template) in loaded.labelTemplates {
                    let value = template.render(labels: seriesLabels, value: sample.v)
                    labels[name] = value.isEmpty ? nil : value
                }
                labels["alertname"] = loaded.rule.name
                guard seen.insert(labels).inserted else {
                    throw RuleFailure(description: "vector contains metrics with the same labelset after applying alert labels")
                }
                let annotations = loaded.annotationTemplates.mapValues { $0.render(labels: seriesLabels, value: sample.v) }
                series.append(RuleSeries(labels: labels, annotations: annotations, value: sample.v))
            }
            loaded.alerts = await alerts.observeRule(definitionID, series: series, atMs: atMs)
            try await writeAlertSeries(&loaded, tenantID: group.tenantID, atMs: atMs)
        }
    }

    /// `ALERTS{alertname, alertstate, …} 1` and `ALERTS_FOR_STATE{alertname, …}` (when the condition started, Unix s) for
    /// each pending or firing alert, as Prometheus writes them.
    private func writeAlertSeries(_ loaded: inout LoadedRule, tenantID: String, atMs: Int64) async throws(RuleFailure) {
        var output: [(Labels, Double)] = []
        for alert in loaded.alerts {
            let base = Labels(alert.labels.map { Label($0.key, $0.value) })
            output.append((base.setting(Labels.metricName, "ALERTS").setting("alertstate", alert.state), 1))
            output.append((base.setting(Labels.metricName, "ALERTS_FOR_STATE"), Double(alert.activeAtMs) / 1000))
        }
        try await write(output, previous: &loaded.written, tenantID: tenantID, atMs: atMs)
    }

    /// Writes `output` and, as Prometheus does, a staleness marker for each series written last time and not now.
    private func write(_ output: [(Labels, Double)], previous: inout Set<Labels>, tenantID: String, atMs: Int64) async throws(RuleFailure) {
        let current = Set(output.map(\.0))
        let ended = previous.subtracting(current).map { ($0, Double(bitPattern: Sample.staleNaNBits)) }
        do {
            try await writer.write(output + ended, tenantID: tenantID, atMs: atMs)
        } catch {
            throw RuleFailure(description: "writing the rule's series failed: \(error)")
        }
        previous = current
    }

    /// The expression's instant vector at `atMs` over the tenant's series (a scalar becomes one series without labels).
    private func query(_ expr: Expr, tenantID: String, atMs: Int64) async throws(RuleFailure) -> [InstantSample] {
        let reader: TenantQuerier
        do { reader = try TenantQuerier(querier, tenant: tenantID) } catch {
            throw RuleFailure(description: "tenant \(tenantID) cannot be queried: \(error)")
        }
        let budget = QueryBudget(timeout: .milliseconds(queryTimeoutMs))
        let value: QueryValue
        do {
            let source: any Querier = catalog.map { CrossLayerQuerier(reader, catalog: $0) } ?? reader
            value = try await engine.instant(expr, at: atMs, querier: source, budget: budget)
        } catch {
            throw RuleFailure(description: error.message)
        }
        switch value {
        case .vector(let samples): return samples
        case .scalar(let point): return [InstantSample(labels: Labels(), t: point.t, v: point.v)]
        default: throw RuleFailure(description: "rule result is not a vector or scalar")
        }
    }
}
