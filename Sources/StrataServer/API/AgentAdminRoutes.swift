import Hummingbird
import StrataAPI
import StrataCatalog

/// `/api/v1/agents`: the tenant's agents (bound platform, last contact, revoked or not); admins revoke
/// one, which stops its credential at once and keeps it from enrolling again.
struct AgentAdminRoutes {
    let catalog: any Catalog
    let audit: AuditTrail

    func register(on group: SecuredGroup) {
        group.get("agents", .permission(.read)) { _, context in
            let principal = try context.requirePrincipal()
            return try Envelope.success(try await catalog.agents(tenantID: principal.tenantID).map(API.Agent.init))
        }
        group.delete("agents/:id", .permission(.administer)) { _, context in
            let principal = try context.requirePrincipal()
            let id = context.parameters.get("id") ?? ""
            let now = Time.nowMs()
            guard try await catalog.revokeAgent(tenantID: principal.tenantID, id: id, nowMs: now) else {
                throw APIError.notFound("no agent \(id)")
            }
            await audit.record(principal, "agent.revoke", target: "agent:\(id)", remote: context.remoteAddress, nowMs: now)
            return try Envelope.success(API.Revoked(id: id))
        }
    }
}
