import Foundation
import Hummingbird
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore
import StrataWire

/// Group actions over REST (docs/control.md "Group actions and schedules"): starting a group run needs `control`,
/// reading runs `read`; every start is audited; all tenant-scoped. Schedules are `ControlScheduleRoutes`.
struct ControlGroupRoutes {
    let runner: GroupRunner
    let control: ControlService
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    static let runFields: Set<String> = ["target", "action", "parameters", "concurrency", "stopOnFailure", "deadline", "dryRun"]
    /// The fields of the `target` both take: a misspelt filter must be refused, not widen the run to a whole kind.
    static let nestedFields = ["target": StrictJSON.fields(of: API.ControlTarget.CodingKeys.self)]

    func register(on group: SecuredGroup) {
        group.post("control/group-runs", .permission(.control)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.GroupRunRequest.self, from: request, allowedFields: Self.runFields, nestedFields: Self.nestedFields,
                                                   limit: maxJSONBytes,
                                                   example: #"{"target": {"kind": "server", "serverType": "nginx"}, "action": "reload", "concurrency": 5}"#)
            let order = GroupRunner.Order(target: body.target, action: body.action, parameters: body.parameters ?? [:],
                                          concurrency: body.concurrency ?? GroupRunner.defaultConcurrency, stopOnFailure: body.stopOnFailure ?? false,
                                          deadline: body.deadline)
            if body.dryRun == true { return try Envelope.success(try await dryRun(order, principal: principal)) }
            let run: API.GroupRun
            do {
                run = try await runner.start(order, tenantID: principal.tenantID, actor: principal.auditActor)
            } catch let error as APIError {
                await audit.record(principal, "control.group-run", target: "action:\(body.action)", outcome: "refused", detail: error.message,
                                   remote: context.remoteAddress, nowMs: Time.nowMs())
                throw error
            }
            await audit.record(principal, "control.group-run", target: "group-run:\(run.id)",
                               detail: "\(body.action) on \(run.items.count) resources", remote: context.remoteAddress, nowMs: run.createdMs)
            return try Envelope.success(run, status: .created)
        }
        group.get("control/group-runs", .permission(.read)) { request, context in
            let principal = try context.requirePrincipal()
            let rows = try await catalog.groupRuns(tenantID: principal.tenantID, limit: try QueryString(request).limit(default: 50))
            // Summaries only: the stored runs' items are skipped by the decoder and never sent.
            return try Envelope.success(rows.compactMap { try? JSONDecoder().decode(API.GroupRunSummary.self, from: Data($0.bodyJSON.utf8)) })
        }
        group.get("control/group-runs/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard let stored = try await catalog.groupRun(tenantID: principal.tenantID, id: id),
                  let run = try? JSONDecoder().decode(API.GroupRun.self, from: Data(stored.bodyJSON.utf8)) else {
                throw APIError.notFound("no group run \(id) in this tenant")
            }
            return try Envelope.success(try await runner.current(run, tenantID: principal.tenantID))
        }
    }

    /// What a group run would do: its resources, each with what would run or why it would be refused.
    func dryRun(_ order: GroupRunner.Order, principal: Principal) async throws -> API.GroupRun {
        try GroupRunner.check(order)
        let resources = try await ControlTargets(catalog: catalog).resolve(order.target, tenantID: principal.tenantID)
        var items: [API.GroupRunItem] = []
        for resource in resources {
            let request = API.ControlRequest(resource: resource.id, action: order.action, parameters: order.parameters, deadline: order.deadline)
            do {
                let plan = try await control.plan(request, tenantID: principal.tenantID)
                items.append(API.GroupRunItem(resourceId: resource.id, resourceName: resource.name, state: "would-run",
                                              message: "would ask agent \(plan.agentID) to \(plan.action.summary) on \(resource.name)"))
            } catch {
                items.append(API.GroupRunItem(resourceId: resource.id, resourceName: resource.name, state: "refused",
                                              message: (error as? APIError)?.message ?? "\(error)"))
            }
        }
        let now = Time.nowMs()
        return API.GroupRun(id: "", target: order.target, action: order.action, parameters: order.parameters, concurrency: order.concurrency,
                            stopOnFailure: order.stopOnFailure, requestedBy: principal.auditActor, createdMs: now, updatedMs: now, state: "dry-run",
                            summary: ["total": items.count, "would-run": items.filter { $0.state == "would-run" }.count,
                                      "refused": items.filter { $0.state == "refused" }.count], items: items)
    }
}
