import Hummingbird
import StrataCatalog

/// `/api/v1/agents`: the tenant's agents (bound platform, last contact, revoked or not); admins revoke
/// one, which stops its credential at once and keeps it from enrolling again.
struct AgentAdminRoutes {
    let catalog: any Catalog
    let audit: AuditTrail

    func register(on group: SecuredGroup) {
        group.get("agents", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            return Envelope.success(.array(try await catalog.agents(tenantID: principal.tenantID).map { agent in
                [
                    "id": .string(agent.id), "platformId": .optional(agent.platformID), "lastSequence": .int(Int64(agent.lastSequence)),
                    "intervalMs": .int(agent.intervalMs), "lastSeenMs": .int(agent.lastSeenMs), "available": .bool(agent.available),
                    "revokedMs": agent.revokedMs.map(JSON.int) ?? .null,
                ]
            }))
        }
        group.delete("agents/:id", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let now = Time.nowMs()
            guard try await catalog.revokeAgent(tenantID: principal.tenantID, id: id, nowMs: now) else {
                throw APIError.notFound("no agent \(id)")
            }
            await audit.record(principal, "agent.revoke", target: "agent:\(id)", remote: context.remoteAddress, nowMs: now)
            return Envelope.success(["id": .string(id), "revoked": .bool(true)])
        }
    }
}
