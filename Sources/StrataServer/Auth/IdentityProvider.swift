import StrataCatalog

/// Where a user name and password are checked: the extension point for LDAP (bind as the user, map groups
/// to roles) and other directories. The server asks its providers in order; the first match wins.
///
/// A match names a catalog user, so tokens, sessions, grants and the audit log work the same for every
/// provider; a directory provider creates or updates that user on first login. OIDC does not fit a
/// password check: its route completes the code flow and calls `SessionRoutes.startSession(for:)`.
public protocol IdentityProvider: Sendable {
    /// Short name for the audit log, e.g. `local` or `ldap`.
    var name: String { get }
    /// The catalog user `username` of `tenantID` is, if `password` proves it; nil if not.
    func authenticate(username: String, tenantID: String, password: String) async throws -> IdentityMatch?
}

/// A successful password check.
public struct IdentityMatch: Sendable, Equatable {
    /// The catalog user.
    public var userID: Int64
    /// The user's role in the tenant.
    public var role: Role

    /// Creates a match.
    public init(userID: Int64, role: Role) {
        self.userID = userID
        self.role = role
    }
}

/// The built-in provider: bcrypt hashes in the catalog; disabled users never match.
public struct LocalPasswords: IdentityProvider {
    let catalog: any Catalog

    /// Creates the provider over `catalog`.
    public init(catalog: any Catalog) {
        self.catalog = catalog
    }

    public var name: String { "local" }

    public func authenticate(username: String, tenantID: String, password: String) async throws -> IdentityMatch? {
        guard let user = try await catalog.user(named: username, tenantID: tenantID),
              Secrets.verifyPassword(password, hash: user.passwordHash) else { return nil }
        return IdentityMatch(userID: user.id, role: user.role)
    }
}
