import Hummingbird
import StrataAPI
import StrataCatalog

/// Browser sessions and `whoami`.
///
/// `POST /api/v1/sessions` with a user's password sets an HttpOnly, SameSite=Strict session cookie and
/// returns a CSRF token that every write through the session must send as `X-CSRF-Token` (a cross-site
/// form cannot read it). `DELETE /api/v1/sessions/current` logs out. Sessions last `sessionHours`.
struct SessionRoutes {
    let authenticator: Authenticator
    let catalog: any Catalog
    let audit: AuditTrail
    let maxJSONBytes: Int
    let sessionHours: Int64
    /// Adds `Secure` to the cookie (when the server speaks TLS).
    let secureCookie: Bool

    /// `POST sessions` needs no credentials; it is registered on a group without the auth middleware.
    func registerLogin(on group: SecuredGroup) {
        group.post("sessions", .none) { request, context in try await login(request, context) }
    }

    func register(on group: SecuredGroup) {
        group.delete("sessions/current", .authenticated) { _, context in
            let principal = try context.requirePrincipal()
            let now = Time.nowMs()
            if principal.kind == .session, let id = principal.tokenID {
                _ = try await catalog.revokeToken(tenantID: principal.tenantID, id: id, userID: principal.userID, nowMs: now)
                await audit.record(principal, "logout", target: "user:\(principal.name)", remote: context.remoteAddress, nowMs: now)
            }
            var response = try Envelope.success(API.LoggedOut(loggedOut: principal.kind == .session))
            response.headers[.setCookie] = cookie(value: "", maxAge: 0)
            return response
        }
        group.get("whoami", .authenticated) { _, context in
            let principal = try context.requirePrincipal()
            return try Envelope.success(API.WhoAmI(tenant: principal.tenantID, name: principal.name, role: principal.role?.rawValue,
                                                   via: principal.kind.rawValue, permissions: principal.permissions.map(\.rawValue).sorted()))
        }
    }

    func login(_ request: Request, _ context: StrataRequestContext) async throws -> Response {
        let now = Time.nowMs()
        let body = try await StrictJSON.decode(API.LoginRequest.self, from: request, allowedFields: ["username", "password", "tenant"],
                                               limit: maxJSONBytes, example: #"{"username": "admin", "password": "…", "tenant": "default"}"#)
        var (username, tenant) = Authenticator.splitLogin(body.username)
        if let explicit = body.tenant { tenant = explicit }
        guard let principal = try await authenticator.checkPassword(username: username, tenantID: tenant, password: body.password,
                                                                    remote: context.remoteAddress, nowMs: now),
              principal.userID != nil else {
            try authenticator.failures.failed(Authenticator.passwordFailureKey(context.remoteAddress, username: username, tenant: tenant),
                                              nowMs: now)
            throw APIError.unauthorized("wrong user name, tenant or password")
        }
        return try await startSession(for: principal, nowMs: now)
    }

    /// Starts a browser session for an authenticated user (the password login above, or an OIDC callback):
    /// 201 with the CSRF token, and the HttpOnly session cookie.
    func startSession(for principal: Principal, nowMs now: Int64) async throws -> Response {
        guard let userID = principal.userID else { throw APIError.forbidden("only users have sessions") }
        let secret = Secrets.newToken(prefix: "ses")
        let csrf = Secrets.randomText(length: 32)
        let expires = now + sessionHours * 3_600_000
        _ = try await catalog.createToken(NewToken(tenantID: principal.tenantID, userID: userID, kind: .session, name: "session",
                                                   tokenHash: Secrets.hashToken(secret), csrfHash: Secrets.hashToken(csrf),
                                                   expiresMs: expires), nowMs: now)
        var response = try Envelope.success(API.Session(tenant: principal.tenantID, username: principal.name, role: principal.role?.rawValue,
                                                        csrfToken: csrf, expiresMs: expires), status: .created)
        response.headers[.setCookie] = cookie(value: secret, maxAge: sessionHours * 3600)
        return response
    }

    func cookie(value: String, maxAge: Int64) -> String {
        "\(Authenticator.sessionCookie)=\(value); Path=/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict" + (secureCookie ? "; Secure" : "")
    }
}
