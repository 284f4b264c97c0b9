import StrataCatalog

/// Permissions on one resource: the caller's tenant role plus the roles granted to them on groups that
/// cover the resource (a group member covers itself and everything below it), narrowed by a token's
/// scopes. Group grants carry only resource-level permissions, never `administer`, `write` or `tenants`.
struct Authorizer: Sendable {
    let catalog: any Catalog

    /// Permissions a group grant can give.
    static let resourceLevel: Set<Permission> = [.read, .control, .acknowledge, .manage]

    /// What `principal` may do on `resourceID`, and the grants that added to its role.
    func permissions(_ principal: Principal, on resourceID: String) async throws -> (permissions: Set<Permission>, via: [GroupGrant]) {
        var granted = principal.role?.permissions(tenantID: principal.tenantID) ?? []
        var via: [GroupGrant] = []
        if let userID = principal.userID {
            via = try await catalog.grants(tenantID: principal.tenantID, userID: userID, coveringResource: resourceID)
            for grant in via {
                granted.formUnion(grant.role.permissions(tenantID: principal.tenantID).intersection(Self.resourceLevel))
            }
        }
        return (principal.scopes.isEmpty ? granted : granted.intersection(principal.scopes), via)
    }

    /// Throws 403 unless `principal` holds `permission` on `resourceID`.
    func require(_ permission: Permission, of principal: Principal, on resourceID: String) async throws {
        guard try await permissions(principal, on: resourceID).permissions.contains(permission) else {
            throw APIError.forbidden("neither your role nor a group grant gives \"\(permission.rawValue)\" on resource \(resourceID)")
        }
    }
}
