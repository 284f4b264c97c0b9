import Hummingbird
import StrataCatalog

/// Who may pass an `AuthMiddleware`.
enum Audience: String, Sendable {
    /// Users: HTTP basic, a bearer API token or a session cookie.
    case users
    /// Agents: a bearer agent credential or enrollment token.
    case agents
}

/// Rejects requests without valid credentials for its audience (401, or 429 after repeated failures)
/// and records the principal in the context.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let authenticator: Authenticator
    let audience: Audience

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let now = Time.nowMs()
        let principal: Principal
        switch audience {
        case .users:
            principal = try await authenticator.user(headers: request.headers, method: request.method,
                                                     remote: context.remoteAddress, nowMs: now)
        case .agents:
            principal = try await authenticator.agent(headers: request.headers, remote: context.remoteAddress, nowMs: now)
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal.auditActor)"
        return try await next(request, context)
    }
}
