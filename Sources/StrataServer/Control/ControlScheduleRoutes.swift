import Foundation
import Hummingbird
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore

/// Control schedules over REST (docs/control.md "Group actions and schedules"): saving or deleting one needs
/// `control`, reading them `read`; every change is audited; all tenant-scoped. The scheduler (`ScheduleService`)
/// hears of each change after it is stored. A schedule runs on the authority of the user (and token) that first
/// saved it (`ScheduleCreator`); a PUT keeps that creator.
struct ControlScheduleRoutes {
    let schedules: ScheduleService
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    static let scheduleFields: Set<String> = ["name", "cron", "timezone", "target", "action", "parameters", "concurrency", "stopOnFailure",
                                              "deadline", "enabled"]

    func register(on group: SecuredGroup) {
        group.post("control/schedules", .permission(.control)) { request, context in
            try await save(request, context, id: nil)
        }
        group.put("control/schedules/:id", .permission(.control)) { request, context in
            try await save(request, context, id: context.parameters.get("id") ?? "")
        }
        group.get("control/schedules", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            var list: [API.Schedule] = []
            for stored in try await catalog.schedules(tenantID: principal.tenantID) {
                guard var schedule = try? JSONDecoder().decode(API.Schedule.self, from: Data(stored.bodyJSON.utf8)) else { continue }
                schedule.nextRuns = await schedules.nextRuns(schedule)
                list.append(schedule)
            }
            return try Envelope.success(list)
        }
        group.get("control/schedules/:id", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            var schedule = try await stored(context.parameters.get("id") ?? "", tenantID: principal.tenantID).schedule.schedule
            schedule.nextRuns = await schedules.nextRuns(schedule)
            return try Envelope.success(schedule)
        }
        group.delete("control/schedules/:id", .permission(.control)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.deleteSchedule(tenantID: principal.tenantID, id: id) else { throw APIError.notFound("no schedule \(id) in this tenant") }
            await schedules.deleted(id)
            await audit.record(principal, "control.schedule.delete", target: "schedule:\(id)", remote: context.remoteAddress, nowMs: Time.nowMs())
            return try Envelope.success(["deleted": id])
        }
    }

    private func stored(_ id: String, tenantID: String) async throws -> (schedule: StoredSchedule, body: StoredBody) {
        guard let body = try await catalog.schedule(tenantID: tenantID, id: id), let stored = StoredSchedule.read(body) else {
            throw APIError.notFound("no schedule \(id) in this tenant")
        }
        return (stored, body)
    }

    /// Stores a changed schedule over the one stored, with what the change does not set (its creator, its last run)
    /// as stored at that moment; only over the body just read, so a run recorded or a DELETE made meanwhile is not
    /// undone (read again and retried instead; a deleted schedule is not found).
    private func replace(_ schedule: inout API.Schedule, tenantID: String) async throws {
        for _ in 0..<ScheduleService.recordAttempts {
            let (previous, body) = try await stored(schedule.id, tenantID: tenantID)
            schedule.createdBy = previous.schedule.createdBy
            schedule.createdMs = previous.schedule.createdMs
            schedule.lastRunMs = previous.schedule.lastRunMs
            schedule.lastRunId = previous.schedule.lastRunId
            schedule.lastError = previous.schedule.lastError
            let replacement = try StoredSchedule(schedule, creator: previous.creator).body(tenantID: tenantID)
            switch try await catalog.updateSchedule(replacement, name: schedule.name, ifBodyIs: body.bodyJSON) {
            case .updated: return
            case .changed: continue
            case .missing: throw APIError.notFound("no schedule \(schedule.id) in this tenant")
            case .nameTaken: throw Self.nameTaken(schedule.name)
            }
        }
        throw APIError.conflict("schedule \(schedule.id) kept changing while it was saved; try again")
    }

    static func nameTaken(_ name: String) -> APIError {
        APIError.conflict("a schedule named \(name) exists; change it with PUT /api/v1/control/schedules/{id}")
    }

    private func save(_ request: Request, _ context: StrataRequestContext, id: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await StrictJSON.decode(API.ScheduleRequest.self, from: request, allowedFields: Self.scheduleFields, nestedFields: ControlGroupRoutes.nestedFields,
                                               limit: maxJSONBytes,
                                               example: #"{"name": "nightly-reload", "cron": "0 3 * * *", "timezone": "Europe/Berlin", "target": {"resource": "4f2a…"}, "action": "reload"}"#)
        let now = Time.nowMs()
        var schedule = API.Schedule(id: id ?? StableID(parts: ["schedule", principal.tenantID, body.name, String(now), String(UInt64.random(in: 0...UInt64.max))]).description, request: body,
                                    createdBy: principal.auditActor, createdMs: now)
        if let id { _ = try await stored(id, tenantID: principal.tenantID) }
        do {
            try Self.check(body)
            _ = try ScheduleService.cron(schedule)
            try GroupRunner.check(GroupRunner.Order(target: schedule.target, action: schedule.action, parameters: schedule.parameters,
                                                    concurrency: schedule.concurrency, stopOnFailure: schedule.stopOnFailure, deadline: schedule.deadline))
            try await ControlTargets(catalog: catalog).checkNamed(schedule.target, tenantID: principal.tenantID)
            try await checkAction(schedule, tenantID: principal.tenantID)
        } catch let error as APIError {
            await audit.record(principal, "control.schedule.save", target: "schedule:\(body.name)", outcome: "refused", detail: error.message,
                               remote: context.remoteAddress, nowMs: now)
            throw error
        }
        if id != nil {
            try await replace(&schedule, tenantID: principal.tenantID)
        } else {
            let stored = try StoredSchedule(schedule, creator: ScheduleCreator(principal)).body(tenantID: principal.tenantID)
            guard try await catalog.saveSchedule(stored, name: schedule.name) else {
                throw Self.nameTaken(schedule.name)
            }
        }
        await schedules.saved(schedule, tenantID: principal.tenantID)
        schedule.nextRuns = await schedules.nextRuns(schedule)
        await audit.record(principal, "control.schedule.save", target: "schedule:\(schedule.id)",
                           detail: "\(schedule.name): \(schedule.action) at \(schedule.cron) \(schedule.timezone)", remote: context.remoteAddress, nowMs: now)
        return try Envelope.success(schedule, status: id == nil ? .created : .ok)
    }

    static func check(_ body: API.ScheduleRequest) throws {
        guard !body.name.isEmpty, body.name.count <= 100, !body.name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badData("name must be 1 to 100 characters without control characters")
        }
    }

    /// The action and its parameters checked against the kind the target names (its resource's, or `kind`).
    func checkAction(_ schedule: API.Schedule, tenantID: String) async throws {
        var kind = schedule.target.kind.flatMap(ResourceKind.init(rawValue:))
        var serverType = schedule.target.serverType
        if let id = schedule.target.resource {
            guard let resource = try await catalog.resource(tenantID: tenantID, id: id), resource.removedMs == nil else {
                throw APIError.notFound("no resource \(id) in this tenant")
            }
            kind = resource.kind
            serverType = resource.kind == .server ? (try? PropertyValue(json: resource.propertiesJSON))?["type"]?.stringValue : nil
        }
        guard let kind else { return }
        do {
            _ = try ActionCatalog.action(schedule.action, kind: kind, serverType: serverType).check(schedule.parameters)
        } catch {
            throw APIError.badData(error.description)
        }
    }
}
