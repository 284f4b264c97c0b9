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
    /// Failed user authentications: passwords by address and user name, tokens and sessions by address.
    /// A valid credential is never refused for others' failures: tokens are looked up before the limiter
    /// answers, and a password login waits only after failures for its own user name from its own address
    /// (and one that succeeded within `cacheSeconds` passes even then).
    let failures: FailureLimiter
    /// Failed agent authentications by address, counted apart: a user guessing passwords on a host must not
    /// lock out the agent running beside it (found by `make run`: an agent on 127.0.0.1 got 429 for 34 s
    /// after a script's failed logins from the same address, and its platform went down).
    let agentFailures: FailureLimiter
    /// Where passwords are checked, in order (`LocalPasswords` unless told otherwise).
    let providers: [any IdentityProvider]
    private let verified = Mutex<[String: (principal: Principal, expiresMs: Int64)]>([:])
    /// Password checks under way, by credentials and address (see `basic`).
    private let checking = Mutex<[String: Task<Principal?, any Error>]>([:])
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
    /// write without its CSRF token, 429 after too many failures (see `failures`).
    func user(headers: HTTPFields, method: HTTPRequest.Method, remote: String, nowMs: Int64) async throws -> Principal {
        let header = headers[.authorization]
        var principal: Principal?
        // Which failure count this attempt belongs to.
        var failureKey = Self.tokenFailureKey(remote)
        if let header {
            if let token = Self.value(header, scheme: "bearer") {
                principal = try await catalog.credential(tokenHash: Secrets.hashToken(token), kinds: [.api], nowMs: nowMs)?.principal
            } else if let login = Self.basicLogin(header) {
                failureKey = Self.passwordFailureKey(remote, username: login.username, tenant: login.tenant)
                if let match = try await basic(login, remote: remote, nowMs: nowMs) {
                    try Self.checkBasicWrite(headers: headers, method: method)
                    principal = match
                }
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
            try failures.failed(failureKey, nowMs: nowMs)
            throw APIError.unauthorized(header == nil && Self.cookie(Self.sessionCookie, in: headers) == nil
                ? "credentials required: HTTP basic, a bearer token or a session cookie"
                : "invalid, expired or revoked credentials")
        }
        await noteUse(principal, remote: remote, nowMs: nowMs)
        return principal
    }

    /// The principal of an agent request: an agent credential or an enrollment token.
    func agent(headers: HTTPFields, remote: String, nowMs: Int64) async throws -> Principal {
        guard let header = headers[.authorization], let token = Self.value(header, scheme: "bearer"),
              let match = try await catalog.credential(tokenHash: Secrets.hashToken(token), kinds: [.agent, .enrollment], nowMs: nowMs) else {
            // Looked up first: a valid agent credential passes whatever others at its address got wrong.
            try agentFailures.failed(remote, nowMs: nowMs)
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

    /// The user name, tenant and password of a basic `Authorization` header, and the decoded credentials.
    static func basicLogin(_ header: String) -> (username: String, tenant: String, password: String, decoded: String)? {
        guard let encoded = Self.value(header, scheme: "basic"),
              let decoded = Data(base64Encoded: encoded).flatMap({ String(data: $0, encoding: .utf8) }),
              let colon = decoded.firstIndex(of: ":") else { return nil }
        let (username, tenant) = splitLogin(String(decoded[..<colon]))
        return (username, tenant, String(decoded[decoded.index(after: colon)...]), decoded)
    }

    /// How long a password check waits once its user name has failed `failures.maxFailures` times from its
    /// address within the window: no CPU is spent meanwhile, and a guesser gets one try per pause per connection.
    static let guessPause: Duration = .seconds(1)

    /// Checks a password (basic logins and session logins alike): after `guessPause` when this user name has used
    /// up its failures from `remote`, so guessing slows down while the right password still gets in. Counting a
    /// failure is the caller's (`failures.failed`), beside its 401.
    func checkPassword(username: String, tenantID: String, password: String, remote: String, nowMs: Int64) async throws -> Principal? {
        let key = Self.passwordFailureKey(remote, username: username, tenant: tenantID)
        if (try? failures.check(key, nowMs: nowMs)) == nil { try await Task.sleep(for: Self.guessPause) }
        return try await login(username: username, tenantID: tenantID, password: password, remote: remote, nowMs: nowMs)
    }

    /// The failure count of password logins for `username` from `remote`.
    static func passwordFailureKey(_ remote: String, username: String, tenant: String) -> String {
        "password \(remote) \(username.lowercased())@\(tenant)"
    }

    /// The failure count of tokens and sessions presented from `remote`.
    static func tokenFailureKey(_ remote: String) -> String { "token \(remote)" }

    /// A basic login: a recent success passes from the cache; otherwise the password is checked (`checkPassword`).
    private func basic(_ login: (username: String, tenant: String, password: String, decoded: String), remote: String,
                       nowMs: Int64) async throws -> Principal? {
        let cacheKey = Secrets.hashToken(login.decoded)
        let cached: Principal? = verified.withLock { entries in
            guard let entry = entries[cacheKey], entry.expiresMs > nowMs else { return nil }
            return entry.principal
        }
        if let cached { return cached }
        // Requests arriving together with the same credentials from the same address (a remote-write client opening
        // its shards) share one check: each ran its own bcrypt before, 16 connections took 16 checks at once.
        let flightKey = cacheKey + " " + remote
        let flight: Task<Principal?, any Error> = checking.withLock { flights in
            if let running = flights[flightKey] { return running }
            // A check that ended between the cache lookup above and this lock has cached its login by now.
            if let cached = verified.withLock({ $0[cacheKey].flatMap { $0.expiresMs > nowMs ? $0.principal : nil } }) {
                return Task { cached }
            }
            let check = Task {
                // Cached (when it succeeded) before the flight ends, so a request after it finds the cache.
                defer { _ = self.checking.withLock { $0.removeValue(forKey: flightKey) } }
                guard let principal = try await self.checkPassword(username: login.username, tenantID: login.tenant,
                                                                   password: login.password, remote: remote, nowMs: nowMs)
                else { return nil as Principal? }
                self.verified.withLock { entries in
                    if entries.count > 1000 { entries.removeAll() }
                    entries[cacheKey] = (principal, nowMs + self.cacheSeconds * 1000)
                }
                return principal
            }
            flights[flightKey] = check
            return check
        }
        return try await flight.value
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
        let value = header.dropFirst(scheme.count + 1).trimmingHTTPWhitespace()
        return value.isEmpty ? nil : String(value)
    }

    /// The value of cookie `name` in the request's `Cookie` headers.
    static func cookie(_ name: String, in headers: HTTPFields) -> String? {
        for field in headers[values: .cookie] {
            for pair in field.split(separator: ";") {
                let trimmed = pair.trimmingHTTPWhitespace()
                if trimmed.hasPrefix(name + "=") {
                    let value = String(trimmed.dropFirst(name.count + 1))
                    return value.isEmpty ? nil : value
                }
            }
        }
        return nil
    }

    /// Browsers cache HTTP basic credentials and attach them to any request to the server, also one a
    /// hostile page makes. Such a page can send a POST without asking (no CORS preflight) only with no
    /// `Content-Type` or a form's; other methods and types need a preflight, which this server never grants.
    /// So a POST on basic credentials must declare a non-form body type (`application/json`, the remote-write
    /// protobuf…), as every API client does, and none may come from a page of another site (`Sec-Fetch-Site`).
    static func checkBasicWrite(headers: HTTPFields, method: HTTPRequest.Method) throws {
        guard !isSafe(method) else { return }
        if let site = headers[HTTPField.Name("Sec-Fetch-Site")!]?.lowercased(), site == "cross-site" || site == "same-site" {
            throw APIError.forbidden("a write with HTTP basic credentials from a page of another site is refused (CSRF); use a session or a token")
        }
        if method == .post, ContentType.isFormLike(headers) {
            throw APIError.forbidden("a POST with HTTP basic credentials must have a non-form Content-Type such as application/json "
                + "(CSRF protection: a browser may attach cached basic credentials to a cross-site form)")
        }
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
