import Foundation
import Hummingbird
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore
import StrataWire

/// Control's REST API (docs/control.md): a resource's actions (read), commands requested (`control`; every request
/// and refusal audited), listed and read (read) — all tenant-scoped.
struct ControlRoutes {
    let control: ControlService
    let catalog: any Catalog
    let audit: AuditTrail
    let authorizer: Authorizer
    let maxJSONBytes: Int

    static let requestFields: Set<String> = ["resource", "action", "parameters", "dryRun", "deadline"]

    func register(on group: SecuredGroup) {
        group.get("resources/:id/actions", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let resource = try await catalog.resource(tenantID: principal.tenantID, id: id), resource.removedMs == nil else {
                throw APIError.notFound("no resource \(id) in this tenant")
            }
            let serverType = resource.kind == .server ? (try? PropertyValue(json: resource.propertiesJSON))?["type"]?.stringValue : nil
            return try Envelope.success(ActionCatalog.actions(kind: resource.kind, serverType: serverType).filter { !$0.systemOnly }.map(Self.action))
        }
        // `control` on the resource: from the role, or from a grant on a group that covers it.
        group.post("control/commands", .authenticated) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.ControlRequest.self, from: request, allowedFields: Self.requestFields, limit: maxJSONBytes,
                                                   example: #"{"resource": "4f2a…", "action": "reload"}"#)
            if let denial = try await authorizer.denial(.control, of: principal, on: body.resource) {
                await audit.record(principal, "control.request", target: "resource:\(body.resource)", outcome: "denied",
                                   detail: "\(body.action): no control permission on the resource", remote: context.remoteAddress, nowMs: Time.nowMs())
                throw APIError.forbidden(denial)
            }
            let plan: ControlService.Plan
            do {
                plan = try await control.plan(body, tenantID: principal.tenantID)
            } catch let error as APIError {
                await audit.record(principal, "control.request", target: "resource:\(body.resource)", outcome: "refused",
                                   detail: "\(body.action): \(error.message)", remote: context.remoteAddress, nowMs: Time.nowMs())
                throw error
            }
            let parameters = Dictionary(plan.parameters.map { ($0.name, $0.value) }) { first, _ in first }
            if body.dryRun == true {
                await audit.record(principal, "control.dry-run", target: "resource:\(plan.resource.id)", detail: plan.action.name,
                                   remote: context.remoteAddress, nowMs: Time.nowMs())
                let now = Time.nowMs()
                return try Envelope.success(API.ControlCommand(
                    id: "", resourceId: plan.resource.id, agentId: plan.agentID, action: plan.action.name, parameters: parameters, state: "dry-run",
                    requestedBy: principal.auditActor, createdMs: now, deadlineMs: plan.deadlineMs, updatedMs: now,
                    message: "would ask agent \(plan.agentID) to \(plan.action.summary) on \(plan.resource.name)"))
            }
            let record = try await control.queue(plan, tenantID: principal.tenantID, actor: principal.auditActor)
            await audit.record(principal, "control.request", target: "resource:\(plan.resource.id)",
                               detail: "\(record.id) \(plan.action.name) \(parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))",
                               remote: context.remoteAddress, nowMs: record.createdMs)
            return try Envelope.success(Self.command(record), status: .created)
        }
        group.get("control/commands", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let parameters = QueryString(request)
            let rows = try await catalog.commands(tenantID: principal.tenantID, resourceID: parameters["resource"], limit: try parameters.limit(default: 100))
            return try Envelope.success(rows.map(Self.command))
        }
        group.get("control/commands/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let record = try await catalog.command(tenantID: principal.tenantID, id: id) else { throw APIError.notFound("no command \(id) in this tenant") }
            return try Envelope.success(Self.command(record))
        }
    }

    static func command(_ record: CommandRecord) -> API.ControlCommand {
        API.ControlCommand(id: record.id, resourceId: record.resourceID, agentId: record.agentID, action: record.action,
                           parameters: Dictionary(LabelsJSON.decode(record.parametersJSON).pairs.map { ($0.name, $0.value) }) { first, _ in first },
                           state: record.state, requestedBy: record.requestedBy, createdMs: record.createdMs, deadlineMs: record.deadlineMs,
                           updatedMs: record.updatedMs, exitStatus: record.exitStatus, stdout: record.stdout, stderr: record.stderr,
                           durationMs: record.durationMs, message: record.message)
    }

    static func action(_ spec: ActionSpec) -> API.ResourceAction {
        API.ResourceAction(name: spec.name, summary: spec.summary, parameters: spec.parameters.map { parameter in
            switch parameter.kind {
            case .integer(let min, let max):
                API.ActionParameter(name: parameter.name, type: "integer", required: parameter.required, summary: parameter.summary, min: min, max: max)
            case .choice(let choices):
                API.ActionParameter(name: parameter.name, type: "choice", required: parameter.required, summary: parameter.summary, choices: choices)
            case .name(let maxLength):
                API.ActionParameter(name: parameter.name, type: "name", required: parameter.required, summary: parameter.summary, maxLength: maxLength)
            case .text(let maxLength):
                API.ActionParameter(name: parameter.name, type: "text", required: parameter.required, summary: parameter.summary, maxLength: maxLength)
            case .size(let min, let max):
                API.ActionParameter(name: parameter.name, type: "size", required: parameter.required, summary: parameter.summary, min: min, max: max)
            }
        })
    }
}
