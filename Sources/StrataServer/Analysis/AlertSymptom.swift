import Foundation
import StrataCatalog
import StrataCore
import StrataWire

/// What a root-cause request asks about: a resource, a metric and a window — given as `resource`, `metric`, `from`
/// and `to`, or taken from an alert (`alert=ID`): its resource, the metric of its series (`__name__`) or of its
/// definition's condition, and the six hours before it started to half an hour after (or now).
struct AlertSymptom {
    let catalog: any Catalog

    struct Resolved {
        var resourceID: String, metric: String, from: Int64, to: Int64
    }

    func resolve(tenant: String, parameters: QueryString, nowMs: Int64) async throws -> Resolved {
        guard let alertID = parameters["alert"], !alertID.isEmpty else {
            guard let id = parameters["resource"], !id.isEmpty else {
                throw APIError.badData("resource is required (the id of the resource that misbehaves), or alert (an alert's id)")
            }
            guard let metric = parameters["metric"], !metric.isEmpty else { throw APIError.badData("metric is required: the series that misbehaves, e.g. cpu_usage_ratio") }
            let (from, to) = try parameters.window(defaultSpanMs: 6 * 3_600_000, nowMs: nowMs)
            return Resolved(resourceID: id, metric: metric, from: from, to: to)
        }
        guard let alert = try await catalog.alert(tenantID: tenant, id: alertID) else { throw APIError.notFound("no alert \(alertID) in this tenant") }
        guard let resourceID = alert.resourceID else {
            throw APIError.badData("alert \(alertID) is not about one resource; give resource and metric instead")
        }
        let labels = (try? JSONSerialization.jsonObject(with: Data(alert.labelsJSON.utf8))) as? [String: Any] ?? [:]
        var metric = parameters["metric"] ?? labels[Labels.metricName] as? String
        if metric == nil, let definition = try await catalog.alertDefinitions(tenantID: tenant).first(where: { $0.id == alert.definitionID }) {
            let body = (try? JSONSerialization.jsonObject(with: Data(definition.bodyJSON.utf8))) as? [String: Any]
            metric = (body?["condition"] as? [String: Any])?["metric"] as? String
        }
        guard let metric, !metric.isEmpty else {
            throw APIError.badData("alert \(alertID) names no metric (its definition's condition has none); give metric")
        }
        let started = alert.startsMs ?? alert.updatedMs
        let defaultTo = min(nowMs, started.addingReportingOverflow(1_800_000).overflow ? nowMs : started + 1_800_000)
        let to = try parameters.time("to", nowMs: nowMs) ?? max(defaultTo, started)
        let from = try parameters.time("from", nowMs: nowMs) ?? Int64(max(-9.2e18, Double(started) - 6 * 3_600_000))
        return Resolved(resourceID: resourceID, metric: metric, from: from, to: to)
    }
}
