import Hummingbird
import StrataAPI
import StrataCatalog
import StrataControl
import StrataCore

/// VM failover's REST API (docs/control.md "VM failover"): `GET|PUT /api/v1/groups/{id}/failover` (read / manage;
/// changes audited as `failover.settings`), `GET /api/v1/failover` (read): the tenant's failover chains.
struct FailoverRoutes {
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    static let fields: Set<String> = ["enabled", "gracePeriod", "sharedStorage", "antiAffinity", "fencing"]

    func register(on group: SecuredGroup) {
        group.get("groups/:id/failover", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            guard try await catalog.groupMembers(tenantID: principal.tenantID, groupID: id) != nil else {
                throw APIError.notFound("no group \(id) in this tenant")
            }
            let settings = try await catalog.failoverSettings(tenantID: principal.tenantID, groupID: id) ?? FailoverSettings()
            return try Envelope.success(Self.api(settings))
        }
        group.put("groups/:id/failover", .permission(.manage)) { request, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let body = try await StrictJSON.decode(API.FailoverSettingsRequest.self, from: request, allowedFields: Self.fields, limit: maxJSONBytes,
                                                   example: #"{"enabled": true, "gracePeriod": "60s", "sharedStorage": ["/var/lib/shared/"]}"#)
            guard let members = try await catalog.groupMembers(tenantID: principal.tenantID, groupID: id) else {
                throw APIError.notFound("no group \(id) in this tenant")
            }
            var settings = try await catalog.failoverSettings(tenantID: principal.tenantID, groupID: id) ?? FailoverSettings()
            settings.enabled = body.enabled ?? settings.enabled
            settings.sharedStorage = body.sharedStorage ?? settings.sharedStorage
            settings.antiAffinity = body.antiAffinity ?? settings.antiAffinity
            if let text = body.gracePeriod {
                guard let ms = DurationText.milliseconds(text) else { throw APIError.badData("gracePeriod must be a duration from 1s to 24h, such as 60s") }
                settings.graceMs = ms
            }
            if let text = body.fencing {
                guard let fencing = FailoverFencing(rawValue: text) else { throw APIError.badData("fencing must be hypervisor or host, not \"\(text)\"") }
                settings.fencing = fencing
            }
            do {
                settings = try settings.validated()
                let outside = Set(settings.antiAffinity.flatMap { $0 }).subtracting(members).sorted()
                guard outside.isEmpty else { throw FailoverSettingsError.notMembers(outside) }
            } catch let error as FailoverSettingsError {
                throw APIError.badData(error.description)
            }
            let now = Time.nowMs()
            guard try await catalog.setFailoverSettings(tenantID: principal.tenantID, groupID: id, settings: settings, nowMs: now) else {
                throw APIError.notFound("no group \(id) in this tenant")
            }
            await audit.record(principal, "failover.settings", target: "group:\(id)",
                               detail: "\(settings.enabled ? "enabled" : "disabled"), grace \(DurationText.format(settings.graceMs)), fencing \(settings.fencing.rawValue)",
                               remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(Self.api(settings))
        }
        group.get("failover", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            let decisions = try await catalog.failoverDecisions(tenantID: principal.tenantID).values.sorted { $0.updatedMs > $1.updatedMs }
            return try Envelope.success(decisions.map(Self.api))
        }
    }

    static func api(_ settings: FailoverSettings) -> API.FailoverSettings {
        API.FailoverSettings(enabled: settings.enabled, gracePeriod: DurationText.format(settings.graceMs), sharedStorage: settings.sharedStorage,
                             antiAffinity: settings.antiAffinity, fencing: settings.fencing.rawValue)
    }

    static func api(_ decision: FailoverDecision) -> API.FailoverDecision {
        API.FailoverDecision(id: decision.id, vmId: decision.vmID, groupId: decision.groupID, fromHypervisorId: decision.fromHypervisorID,
                             state: decision.state.rawValue, downSinceMs: decision.downSinceMs, fencedMs: decision.fencedMs, targetId: decision.targetID,
                             commandId: decision.commandID, note: decision.note, reappeared: decision.reappeared, updatedMs: decision.updatedMs)
    }
}
