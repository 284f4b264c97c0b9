import Foundation
import HTTPTypes
import StrataCatalog
import Synchronization

/// Checks credentials against the catalog and says who is calling.
///
/// Users authenticate with HTTP basic (`user` or `user@TENANT`), a bearer API token, or a session cookie
/// (writes through a session also need the session's `X-CSRF-Token`); agents with a bearer agent
/// credential or, only to enroll, the enrollment token. bcrypt is deliberately slow, so a successful basic
/// login is remembered for `cacheSeconds` under a SHA-256 of the credentials (never the password itself);
/// any user change clears that cache. Credentials are looked up on every request, so a revocation takes
/// effect on the next one. A class with locked state rather than an actor, so a cached login costs no hop.
public final class Authenticator: Sendable {
    let catalog: any Catalog
    let audit: AuditTrail
    let cacheSeconds: Int64
    /// Failed user authentications (passwords, API tokens, sessions) by address.
    let failures: FailureLimiter
    /// Failed agent authentications by address, counted apart: a user guessing passwords on a host must not
    /// lock out the agent running beside it (found by `make run`: an agent on 127.0.0.1 got 429 for 34 s
    /// after a script's failed logins from the same address, and its platform went down).
    let agentFailures: FailureLimiter
    /// Where passwords are checked, in order (`LocalPasswords` unless told otherwise).
    let providers: [any IdentityProvider]
    private let verified = Mutex<[String: (principal: Principal, expiresMs: Int64)]>([:])
    /// When each token's use was last recorded (audit and `last_used_ms`), to record it at most hourly.
    private let used = Mutex<[Int64: Int64]>([:])

    /// Name of the session cookie.
    public static let sessionCookie = "strata_session"
    /// Header carrying a session's CSRF token on writes.
    public static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// Creates an authenticator over `catalog`; `agentFailures` defaults to a limiter like `failures`.
    public init(catalog: any Catalog, audit: AuditTrail, cacheSeconds: Int64 = 60, failures: FailureLimiter = FailureLimiter(),
                agentFailures: FailureLimiter? = nil, providers: [any IdentityProvider]? = nil) {
        self.catalog = catalog
        self.audit = audit
        self.cacheSeconds = cacheSeconds
        self.failures = failures
        self.agentFailures = agentFailures ?? FailureLimiter(maxFailures: failures.maxFailures, windowMs: failures.windowMs)
        self.providers = providers ?? [LocalPasswords(catalog: catalog)]
    }

    /// Forgets cached basic logins (after any change to users).
    public func forgetCachedLogins() {
        verified.withLock { $0.removeAll() }
    }

    /// The user principal of a request, or an `APIError`: 401 without valid credentials, 403 for a session
    /// write without its CSRF token, 429 after too many failures from `remote`.
    func user(headers: HTTPFields, method: HTTPRequest.Method, remote: String, nowMs: Int64) async throws -> Principal {
        try failures.check(remote, nowMs: nowMs)
        let header = headers[.authorization]
        var principal: Principal?
        if let header {
            if let token = Self.value(header, scheme: "bearer") {
                principal = try await catalog.credential(tokenHash: Secrets.hashToken(token), kinds: [.api], nowMs: nowMs)?.principal
            } else {
                principal = try await basic(header, remote: remote, nowMs: nowMs)
            }
        } else if let session = Self.cookie(Self.sessionCookie, in: headers) {
            if let match = try await catalog.credential(tokenHash: Secrets.hashToken(session), kinds: [.session], nowMs: nowMs) {
                if !Self.isSafe(method) {
                    guard let csrf = headers[Self.csrfHeader], let expected = match.csrfHash, Secrets.hashToken(csrf) == expected else {
                        throw APIError.forbidden("a write through a session needs the session's X-CSRF-Token header")
                    }
                }
                principal = match.principal
            }
        }
        guard let principal else {
            failures.fail(remote, nowMs: nowMs)
            throw APIError.unauthorized(header == nil && Self.cookie(Self.sessionCookie, in: headers) == nil
                ? "credentials required: HTTP basic, a bearer token or a session cookie"
                : "invalid, expired or revoked credentials")
        }
        await noteUse(principal, remote: remote, nowMs: nowMs)
        return principal
    }

    /// The principal of an agent request: an agent credential or an enrollment token.
    func agent(headers: HTTPFields, remote: String, nowMs: Int64) async throws -> Principal {
        try agentFailures.check(remote, nowMs: nowMs)
        guard let header = headers[.authorization], let token = Self.value(header, scheme: "bearer"),
              let match = try await catalog.credential(tokenHash: Secrets.hashToken(token), kinds: [.agent, .enrollment], nowMs: nowMs) else {
            agentFailures.fail(remote, nowMs: nowMs)
            throw APIError.unauthorized(headers[.authorization] == nil
                ? "an agent credential or enrollment token is required as a bearer token"
                : "invalid, expired or revoked agent credential")
        }
        await noteUse(match.principal, remote: remote, nowMs: nowMs)
        return match.principal
    }

    /// Checks a user's password with each provider in turn (for basic auth and session logins); audits the outcome.
    func login(username: String, tenantID: String, password: String, remote: String, nowMs: Int64) async throws -> Principal? {
        for provider in providers {
            guard let match = try await provider.authenticate(username: username, tenantID: tenantID, password: password) else { continue }
            await audit.record(AuditRecord(tenantID: tenantID, timeMs: nowMs, actor: username, action: "login", target: "user:\(username)",
                                           detail: "via \(provider.name)", remote: remote))
            return Principal(tenantID: tenantID, userID: match.userID, name: username, role: match.role, kind: .password)
        }
        await audit.record(AuditRecord(tenantID: tenantID, timeMs: nowMs, actor: username, action: "login", target: "user:\(username)",
                                       outcome: "denied", detail: "wrong user name or password", remote: remote))
        return nil
    }

    private func basic(_ header: String, remote: String, nowMs: Int64) async throws -> Principal? {
        guard let encoded = Self.value(header, scheme: "basic"),
              let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        let cacheKey = Secrets.hashToken(decoded)
        let cached: Principal? = verified.withLock { entries in
            guard let entry = entries[cacheKey], entry.expiresMs > nowMs else { return nil }
            return entry.principal
        }
        if let cached { return cached }
        let (username, tenant) = Self.splitLogin(String(decoded[..<colon]))
        guard let principal = try await login(username: username, tenantID: tenant, password: String(decoded[decoded.index(after: colon)...]),
                                              remote: remote, nowMs: nowMs) else { return nil }
        verified.withLock { entries in
            if entries.count > 1000 { entries.removeAll() }
            entries[cacheKey] = (principal, nowMs + cacheSeconds * 1000)
        }
        return principal
    }

    /// Records a token's use at most once an hour per token: `last_used_ms` and a `token.use` audit record.
    private func noteUse(_ principal: Principal, remote: String, nowMs: Int64) async {
        guard let tokenID = principal.tokenID, principal.kind != .session else { return }
        let due = used.withLock { last in
            if let previous = last[tokenID], nowMs - previous < 3_600_000 { return false }
            if last.count > 100_000 { last.removeAll() }
            last[tokenID] = nowMs
            return true
        }
        guard due else { return }
        try? await catalog.touchToken(id: tokenID, nowMs: nowMs)
        await audit.record(AuditRecord(tenantID: principal.tenantID, timeMs: nowMs, actor: principal.auditActor, action: "token.use",
                                       target: "token:\(tokenID)", remote: remote))
    }

    /// `user@tenant` → (user, tenant); a bare name is in the default tenant.
    static func splitLogin(_ login: String) -> (username: String, tenant: String) {
        guard let at = login.lastIndex(of: "@") else { return (login, defaultTenant) }
        return (String(login[..<at]), String(login[login.index(after: at)...]))
    }

    /// The credentials after `scheme ` (case-insensitive), trimmed.
    static func value(_ header: String, scheme: String) -> String? {
        guard header.count > scheme.count + 1, header.prefix(scheme.count).lowercased() == scheme,
              header.dropFirst(scheme.count).first == " " else { return nil }
        let value = header.dropFirst(scheme.count + 1).trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }

    /// The value of cookie `name` in the request's `Cookie` headers.
    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix(name + "=") {
                    let value = String(trimmed.dropFirst(name.count + 1))
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }

    /// GET, HEAD and OPTIONS change nothing and need no CSRF token.
    static func isSafe(_ method: HTTPRequest.Method) -> Bool {
        method == .get || method == .head || method == .options
    }
}

extension Principal {
    /// How the principal appears in the audit log.
    var auditActor: String {
        switch kind {
        case .password, .session: return name
        case .apiToken: return "token:\(name)"
        case .agent: return "agent:\(agentID ?? name)"
        case .enrollment: return "enrollment:\(name)"
        }
    }
}
