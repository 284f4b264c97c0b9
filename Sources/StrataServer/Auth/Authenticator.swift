import Foundation
import StrataCatalog
import Synchronization

/// Checks credentials against the catalog.
///
/// Users authenticate with HTTP basic (`admin` or `admin@TENANT`) or a bearer API token; agents with a
/// bearer agent token. bcrypt is deliberately slow, so a successful basic login is remembered for
/// `cacheSeconds` under a SHA-256 of the credentials (never the password itself). A class with a locked
/// cache rather than an actor, so checking a cached login costs no hop to another executor per request.
public final class Authenticator: Sendable {
    let catalog: any Catalog
    let cacheSeconds: Int64
    private let verified = Mutex<[String: (principal: Principal, expiresMs: Int64)]>([:])

    /// Creates an authenticator over `catalog`.
    public init(catalog: any Catalog, cacheSeconds: Int64 = 60) {
        self.catalog = catalog
        self.cacheSeconds = cacheSeconds
    }

    /// The user principal for an `Authorization` header value, or nil.
    public func user(authorization: String?, nowMs: Int64) async throws -> Principal? {
        guard let authorization else { return nil }
        if let token = Self.value(authorization, scheme: "bearer") {
            return try await catalog.principal(tokenHash: Secrets.hashToken(token), kind: "api", nowMs: nowMs)
        }
        guard let encoded = Self.value(authorization, scheme: "basic"),
              let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        let login = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        let cacheKey = Secrets.hashToken(decoded)
        let cached: Principal? = verified.withLock { entries in
            guard let entry = entries[cacheKey], entry.expiresMs > nowMs else { return nil }
            return entry.principal
        }
        if let cached { return cached }

        var username = login
        var tenant = defaultTenant
        if let at = login.lastIndex(of: "@") {
            username = String(login[..<at])
            tenant = String(login[login.index(after: at)...])
        }
        guard let user = try await catalog.user(named: username, tenantID: tenant),
              Secrets.verifyPassword(password, hash: user.passwordHash) else { return nil }
        let principal = Principal(tenantID: tenant, userID: user.id, name: username, role: user.role)
        verified.withLock { entries in
            if entries.count > 1000 { entries.removeAll() }
            entries[cacheKey] = (principal, nowMs + cacheSeconds * 1000)
        }
        return principal
    }

    /// The agent principal for an `Authorization: Bearer` header value, or nil.
    public func agent(authorization: String?, nowMs: Int64) async throws -> Principal? {
        guard let authorization, let token = Self.value(authorization, scheme: "bearer") else { return nil }
        return try await catalog.principal(tokenHash: Secrets.hashToken(token), kind: "agent", nowMs: nowMs)
    }

    /// The credentials after `scheme ` (case-insensitive), trimmed.
    static func value(_ header: String, scheme: String) -> String? {
        guard header.count > scheme.count + 1, header.prefix(scheme.count).lowercased() == scheme,
              header.dropFirst(scheme.count).first == " " else { return nil }
        let value = header.dropFirst(scheme.count + 1).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}
