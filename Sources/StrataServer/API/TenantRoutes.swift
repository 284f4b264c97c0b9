import Hummingbird
import StrataAPI
import StrataCatalog

/// `/api/v1/tenants`: admins of the provider tenant (`default`) list tenants and create one with its
/// first admin. They do not see into the tenant afterwards: its data is reached only by its own users.
struct TenantRoutes {
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int

    func register(on group: SecuredGroup) {
        group.get("tenants", .permission(.tenants)) { _, _ in
            try Envelope.success(try await catalog.tenants().map { API.Tenant(id: $0.id, name: $0.name, createdMs: $0.createdMs) })
        }
        group.post("tenants", .permission(.tenants)) { request, context in
            let principal = try context.requirePrincipal()
            let body = try await StrictJSON.decode(API.TenantRequest.self, from: request,
                                                   allowedFields: ["id", "name", "adminUsername", "adminPassword"], limit: maxJSONBytes,
                                                   example: #"{"id": "acme", "name": "ACME Corp", "adminUsername": "admin"}"#)
            let id = try Validation.tenantID(body.id)
            let username = try Validation.username(body.adminUsername ?? "admin")
            let password = try body.adminPassword.map(Validation.password) ?? Secrets.randomText(length: 20)
            let now = Time.nowMs()
            do {
                _ = try await catalog.createTenant(id: id, name: body.name ?? id, adminUsername: username,
                                                   adminPasswordHash: Secrets.hashPassword(password), nowMs: now)
            } catch let error as AccessError {
                throw APIError.conflict(error.description)
            }
            // The provider's record names only the tenant; the tenant's own log names its first admin.
            await audit.record(principal, "tenant.create", target: "tenant:\(id)", remote: context.remoteAddress, nowMs: now)
            await audit.record(AuditRecord(tenantID: id, timeMs: now, actor: "provider:\(principal.name)", action: "tenant.create",
                                           target: "tenant:\(id)", detail: "first admin \(username)", remote: context.remoteAddress))
            return try Envelope.success(API.CreatedTenant(id: id, name: body.name ?? id, adminUsername: username,
                                                          adminPassword: body.adminPassword == nil ? password : nil, login: "\(username)@\(id)"),
                                        status: .created)
        }
    }
}
