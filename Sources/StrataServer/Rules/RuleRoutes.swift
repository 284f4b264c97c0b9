import Foundation
import Hummingbird
import StrataPromQL

/// `GET /prometheus/api/v1/rules` (optionally `type=alert|record`) and `GET /prometheus/api/v1/alerts`: the caller's
/// tenant's rule groups with each rule's health, last evaluation and alerts, and its pending and firing rule alerts, in
/// Prometheus 2.42's shapes (Grafana's alert list and rule view read them).
struct RuleRoutes {
    let engine: RuleEngine

    func register(on group: SecuredGroup) {
        group.get("rules", .permission(.read)) { request, context in
            let tenant = try context.requirePrincipal().tenantID
            let type = request.uri.queryParameters.get("type") ?? ""
            guard ["", "alert", "record"].contains(type) else { throw APIError.badData("unsupported type \"\(type)\"") }
            let groups = await engine.groups(tenantID: tenant).map { Self.group($0, type: type) }
            return PrometheusRequest.success(try Self.json(RulesAnswer(groups: groups)))
        }
        group.get("alerts", .permission(.read)) { _, context in
            let tenant = try context.requirePrincipal().tenantID
            let alerts = await engine.groups(tenantID: tenant).flatMap(\.rules).flatMap(\.alerts).map(Self.alert)
            return PrometheusRequest.success(try Self.json(AlertsAnswer(alerts: alerts)))
        }
    }

    /// Fields without a value are left out, as Prometheus's `omitempty` does (a recording rule has no `state`).
    static func json(_ value: some Encodable) throws -> JSON {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return .raw(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    struct RulesAnswer: Encodable { var groups: [GroupJSON] }
    struct AlertsAnswer: Encodable { var alerts: [AlertJSON] }

    struct GroupJSON: Encodable {
        var name: String
        var file: String
        var rules: [RuleJSON]
        var interval: Double
        var limit: Int
        var evaluationTime: Double
        var lastEvaluation: String
    }

    /// An alerting rule (`type: alerting`, with state, duration, annotations, alerts) or a recording rule.
    struct RuleJSON: Encodable {
        var state: String?
        var name: String
        var query: String
        var duration: Double?
        var keepFiringFor: Double?
        var labels: [String: String]?
        var annotations: [String: String]?
        var alerts: [AlertJSON]?
        var health: String
        var lastError: String?
        var evaluationTime: Double
        var lastEvaluation: String
        var type: String
    }

    struct AlertJSON: Encodable {
        var labels: [String: String]
        var annotations: [String: String]
        var state: String
        var activeAt: String
        var value: String
    }

    /// Go's zero time when never evaluated, as Prometheus answers.
    static func time(_ ms: Int64?) -> String {
        ms.map { NotificationText.rfc3339(ms: $0) } ?? "0001-01-01T00:00:00Z"
    }

    static func group(_ group: RuleEngine.Group, type: String) -> GroupJSON {
        let rules = group.rules.filter {
            type.isEmpty || (type == "alert" && $0.rule.kind == .alerting) || (type == "record" && $0.rule.kind == .recording)
        }
        return GroupJSON(name: group.group.name, file: group.file, rules: rules.map(rule), interval: Double(group.intervalMs) / 1000,
                         limit: group.group.limit, evaluationTime: group.evaluationSeconds, lastEvaluation: time(group.lastEvaluationMs))
    }

    static func rule(_ loaded: RuleEngine.LoadedRule) -> RuleJSON {
        let rule = loaded.rule
        var json = RuleJSON(name: rule.name, query: loaded.expr.description, labels: rule.labels.isEmpty ? nil : rule.labels,
                            health: loaded.health, lastError: loaded.lastError, evaluationTime: loaded.evaluationSeconds,
                            lastEvaluation: time(loaded.lastEvaluationMs), type: "recording")
        guard rule.kind == .alerting else { return json }
        json.type = "alerting"
        json.labels = rule.labels
        json.annotations = rule.annotations
        json.duration = Double(rule.forMs) / 1000
        json.keepFiringFor = Double(rule.keepFiringForMs) / 1000
        json.alerts = loaded.alerts.map(alert)
        json.state = loaded.alerts.contains { $0.state == "firing" } ? "firing" : (loaded.alerts.isEmpty ? "inactive" : "pending")
        return json
    }

    static func alert(_ state: RuleAlertState) -> AlertJSON {
        AlertJSON(labels: state.labels, annotations: state.annotations, state: state.state, activeAt: time(state.activeAtMs),
                  value: PromFloatText.exponent(state.value))
    }
}
