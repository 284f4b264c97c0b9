import Hummingbird
import StrataCatalog

/// Who may pass an `AuthMiddleware`.
enum Audience: Sendable {
    /// Users: HTTP basic or a bearer API token.
    case users
    /// Agents: a bearer agent token.
    case agents
}

/// Rejects requests without valid credentials for its audience with 401 and records the principal.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = StrataRequestContext
    let authenticator: Authenticator
    let audience: Audience

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization]
        let now = Time.nowMs()
        let principal: Principal?
        switch audience {
        case .users: principal = try await authenticator.user(authorization: header, nowMs: now)
        case .agents: principal = try await authenticator.agent(authorization: header, nowMs: now)
        }
        guard let principal else {
            throw APIError.unauthorized(header == nil
                ? "credentials required: HTTP basic or a bearer token"
                : "invalid, expired or revoked credentials")
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal.name)"
        return try await next(request, context)
    }
}
