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
    /// Checks a password against a bcrypt hash (tests count the checks).
    let verify: @Sendable (_ password: String, _ hash: String) -> Bool

    /// Creates the provider over `catalog`.
    public init(catalog: any Catalog, verify: @escaping @Sendable (_ password: String, _ hash: String) -> Bool = Secrets.verifyPassword) {
        self.catalog = catalog
        self.verify = verify
    }

    public var name: String { "local" }

    public func authenticate(username: String, tenantID: String, password: String) async throws -> IdentityMatch? {
        guard let user = try await catalog.user(named: username, tenantID: tenantID) else {
            // An unknown user costs the same bcrypt check as a known one, so timing does not tell which names exist.
            _ = verify(password, Self.unknownUserHash)
            return nil
        }
        guard verify(password, user.passwordHash) else { return nil }
        return IdentityMatch(userID: user.id, role: user.role)
    }

    /// A hash of a random password at the cost new hashes get, checked for unknown users.
    static let unknownUserHash = Secrets.hashPassword(Secrets.randomText(length: 24))
}
