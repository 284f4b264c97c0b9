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
        let (granted, via) = try await unscoped(principal, on: resourceID)
        return (principal.scopes.isEmpty ? granted : granted.intersection(principal.scopes), via)
    }

    /// What the role and the grants give on `resourceID` before a token's scopes narrow it.
    private func unscoped(_ principal: Principal, on resourceID: String) async throws -> (permissions: Set<Permission>, via: [GroupGrant]) {
        var granted = principal.role?.permissions(tenantID: principal.tenantID) ?? []
        var via: [GroupGrant] = []
        if let userID = principal.userID {
            via = try await catalog.grants(tenantID: principal.tenantID, userID: userID, coveringResource: resourceID)
            for grant in via {
                granted.formUnion(grant.role.permissions(tenantID: principal.tenantID).intersection(Self.resourceLevel))
            }
        }
        return (granted, via)
    }

    /// Throws 403 unless `principal` holds `permission` on `resourceID`, saying what is missing (`denial`).
    func require(_ permission: Permission, of principal: Principal, on resourceID: String) async throws {
        if let denial = try await denial(permission, of: principal, on: resourceID) { throw APIError.forbidden(denial) }
    }

    /// Nil when `principal` holds `permission` on `resourceID`; else what is missing: the token's scope when the role or
    /// a grant gives the permission, else the permission itself.
    func denial(_ permission: Permission, of principal: Principal, on resourceID: String) async throws -> String? {
        let granted = try await unscoped(principal, on: resourceID).permissions
        guard granted.contains(permission) else {
            return "neither your role nor a group grant gives \"\(permission.rawValue)\" on resource \(resourceID)"
        }
        return principal.scopes.isEmpty || principal.scopes.contains(permission) ? nil : Principal.missingScope(permission)
    }
}

extension Principal {
    /// Nil when it holds `permission` in its tenant; else what is missing: the token's scope when the role gives the
    /// permission, else the role's.
    func denial(_ permission: Permission) -> String? {
        guard !may(permission) else { return nil }
        guard role?.permissions(tenantID: tenantID).contains(permission) == true else {
            return "role \(role?.rawValue ?? "-") does not grant \"\(permission.rawValue)\""
        }
        return Self.missingScope(permission)
    }

    /// A token narrowed without `permission`.
    static func missingScope(_ permission: Permission) -> String {
        "this token's scopes do not include \"\(permission.rawValue)\""
    }
}
