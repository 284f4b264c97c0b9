import Foundation
import Hummingbird
import StrataAlerting
import StrataAPI
import StrataCatalog
import StrataCore
import StrataWire

/// Alerting's REST API (docs/alerting.md): definitions at `/api/v1/alert-definitions` (read; changes need
/// `manage`), alerts at `/api/v1/alerts` with their history and notifications (read), acknowledge and resolve
/// (`acknowledge`), silences at `/api/v1/silences` (read; changes need `acknowledge`). Every route is tenant-scoped.
struct AlertRoutes {
    let evaluator: AlertEvaluator
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    static let definitionFields: Set<String> = ["id", "name", "description", "scope", "condition", "severity", "for", "minFiring", "flapThreshold",
                                                "flapWindow", "labels", "annotations", "notify", "origin", "updatedMs", "escalation", "action"]

    func register(on group: SecuredGroup) {
        group.get("alert-definitions", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let rows = try await catalog.alertDefinitions(tenantID: principal.tenantID).compactMap(Self.definition)
            return try Envelope.success(rows)
        }
        group.get("alert-definitions/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let record = try await catalog.alertDefinitions(tenantID: principal.tenantID).first(where: { $0.id == id || $0.name == id }),
                  let body = Self.definition(record) else { throw APIError.notFound("no alert definition \(id) in this tenant") }
            return try Envelope.success(body)
        }
        group.post("alert-definitions", .permission(.manage)) { request, context in
            try await save(request, context, expectedName: nil)
        }
        group.put("alert-definitions/:id", .permission(.manage)) { request, context in
            try await save(request, context, expectedName: context.parameters.get("id"))
        }
        group.delete("alert-definitions/:id", .permission(.manage)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let resolved = try await catalog.alertDefinitions(tenantID: principal.tenantID).first { $0.id == id || $0.name == id }?.id ?? id
            guard try await evaluator.remove(tenantID: principal.tenantID, id: resolved) else {
                throw APIError.notFound("no alert definition \(id) in this tenant")
            }
            await audit.record(principal, "alert-definition.delete", target: "alert-definition:\(resolved)", detail: "",
                               remote: context.remoteAddress, nowMs: Time.nowMs())
            return try Envelope.success(["deleted": resolved])
        }
        group.get("alerts", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let parameters = QueryString(request)
            var query = AlertQuery()
            if let states = parameters["state"] {
                query.states = states.split(separator: ",").map(String.init)
                for state in query.states where AlertState(rawValue: state) == nil {
                    throw APIError.badData("state must be pending, firing, acknowledged, resolved or inactive (comma separated), not \"\(state)\"")
                }
            }
            if let severity = parameters["severity"] {
                guard let parsed = EventSeverity(name: severity) else { throw APIError.badData("severity must be info, warning, error or critical") }
                query.minimumSeverity = parsed
            }
            query.resourceID = parameters["resource"]
            query.definitionID = parameters["definition"]
            query.limit = try parameters.limit(default: 500)
            return try Envelope.success(try await catalog.alerts(tenantID: principal.tenantID, query: query).map(Self.alert))
        }
        group.get("alerts/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let record = try await catalog.alert(tenantID: principal.tenantID, id: id) else { throw APIError.notFound("no alert \(id) in this tenant") }
            return try Envelope.success(Self.alert(record))
        }
        group.get("alerts/:id/history", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.alert(tenantID: principal.tenantID, id: id) != nil else { throw APIError.notFound("no alert \(id) in this tenant") }
            let rows = try await catalog.alertHistory(tenantID: principal.tenantID, id: id).map {
                API.AlertChange(timeMs: $0.atMs, from: $0.from, to: $0.to, reason: $0.reason, actor: $0.actor, notified: $0.notified, note: $0.note)
            }
            return try Envelope.success(rows)
        }
        group.get("alerts/:id/notifications", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.alert(tenantID: principal.tenantID, id: id) != nil else { throw APIError.notFound("no alert \(id) in this tenant") }
            let rows = try await catalog.notifications(tenantID: principal.tenantID, alertID: id).map { record in
                let target = (try? JSONDecoder().decode(API.NotifyTarget.self, from: Data(record.targetJSON.utf8)))?.type ?? "unknown"
                return API.AlertDelivery(id: record.id, target: target, status: record.status, attempts: record.attempts,
                                         nextAttemptMs: record.nextAttemptMs, lastError: record.lastError, createdMs: record.createdMs)
            }
            return try Envelope.success(rows)
        }
        for action in ["acknowledge", "resolve"] {
            group.post("alerts/:id/\(action)", .permission(.acknowledge)) { _, context in
                let principal = try context.requirePrincipal()
                let id = context.parameters.get("id") ?? ""
                let entry: AlertEntry?
                do {
                    entry = action == "acknowledge"
                        ? try await evaluator.acknowledge(tenantID: principal.tenantID, alertID: id, by: principal.auditActor)
                        : try await evaluator.resolve(tenantID: principal.tenantID, alertID: id, by: principal.auditActor)
                } catch let error as LifecycleError {
                    throw APIError.conflict(error.description)
                }
                guard entry != nil, let record = try await catalog.alert(tenantID: principal.tenantID, id: id) else {
                    throw APIError.notFound("no alert \(id) in this tenant")
                }
                await audit.record(principal, "alert.\(action)", target: "alert:\(id)", detail: record.definitionName,
                                   remote: context.remoteAddress, nowMs: Time.nowMs())
                return try Envelope.success(Self.alert(record))
            }
        }
        SilenceRoutes(evaluator: evaluator, catalog: catalog, audit: audit, maxJSONBytes: maxJSONBytes).register(on: group)
    }

    private func save(_ request: Request, _ context: StrataRequestContext, expectedName: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        let buffer = try await StrictJSON.body(of: request, limit: maxJSONBytes)
        let body = try StrictJSON.decode(API.AlertDefinition.self, from: buffer, allowedFields: Self.definitionFields,
                                         example: #"{"name": "nginx-down", "scope": {"serverType": "nginx"}, "condition": {"type": "availability"}}"#)
        do {
            try DefinitionFields.check(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)))
        } catch let error as DefinitionError {
            throw APIError.badData(error.description)
        }
        if let expectedName, expectedName != body.name, expectedName != AlertDefinition.id(tenantID: principal.tenantID, name: body.name) {
            throw APIError.badData("name: the body's name \"\(body.name)\" differs from the path's \"\(expectedName)\" (rename by deleting and creating)")
        }
        let definition: AlertDefinition
        do {
            definition = try await evaluator.define(body, tenantID: principal.tenantID, origin: "api")
        } catch let error as DefinitionError {
            throw APIError.badData(error.description)
        }
        await audit.record(principal, "alert-definition.save", target: "alert-definition:\(definition.id)", detail: definition.name,
                           remote: context.remoteAddress, nowMs: Time.nowMs())
        // Answered from what was stored, without reading every definition of the tenant back.
        var stored = body
        (stored.id, stored.origin, stored.updatedMs) = (nil, nil, nil)
        let record = AlertDefinitionRecord(tenantID: principal.tenantID, id: definition.id, name: definition.name,
                                           bodyJSON: String(decoding: try JSONEncoder().encode(stored), as: UTF8.self), origin: "api",
                                           updatedMs: Time.nowMs())
        guard let answer = Self.definition(record) else { throw APIError.notFound("definition vanished while being saved") }
        return try Envelope.success(answer)
    }

    /// A stored definition as answered: id, origin and time filled in, secrets masked.
    static func definition(_ record: AlertDefinitionRecord) -> API.AlertDefinition? {
        guard var body = try? JSONDecoder().decode(API.AlertDefinition.self, from: Data(record.bodyJSON.utf8)) else { return nil }
        body.id = record.id
        body.origin = record.origin
        body.updatedMs = record.updatedMs
        body.notify = body.notify?.map(Self.masked)
        body.escalation = body.escalation?.map { step in
            var step = step
            step.notify = step.notify.map(Self.masked)
            return step
        }
        return body
    }

    /// A target as answered: secrets and passwords as `***`, URLs without credentials, path or query.
    static func masked(_ target: API.NotifyTarget) -> API.NotifyTarget {
        var masked = target
        if masked.secret != nil { masked.secret = "***" }
        if masked.password != nil { masked.password = "***" }
        // A webhook URL often is the secret (Slack's token is its path), and may carry user:password@.
        masked.url = masked.url.map(Self.maskedURL)
        return masked
    }

    /// `scheme://host[:port]/***`: the URL without credentials, path or query.
    static func maskedURL(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return "***" }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")/***"
    }

    static func alert(_ record: AlertRecord) -> API.Alert {
        API.Alert(id: record.id, definitionId: record.definitionID, definitionName: record.definitionName, subject: record.subject,
                  resourceId: record.resourceID, state: record.state, severity: record.severity.name, flapping: record.flapping,
                  labels: AlertEntry.object(record.labelsJSON), annotations: AlertEntry.object(record.annotationsJSON), value: record.value,
                  startsMs: record.startsMs, updatedMs: record.updatedMs, heldBy: record.heldBy)
    }
}
