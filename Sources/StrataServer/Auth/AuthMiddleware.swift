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
            // A Prometheus API read by form POST (as Grafana sends long queries) changes nothing: it is a read.
            let method = Self.isReadByPost(request) ? .get : request.method
            principal = try await authenticator.user(headers: request.headers, method: method, remote: context.remoteAddress, nowMs: now)
        case .agents:
            principal = try await authenticator.agent(headers: request.headers, remote: context.remoteAddress, nowMs: now)
        }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal.auditActor)"
        return try await next(request, context)
    }

    /// The Prometheus API routes that take their parameters by form POST and only read.
    static let prometheusReads: Set<Substring> = ["query", "query_range", "series", "labels", "query_exemplars", "format_query"]

    /// Whether `request` is a POST to one of `prometheusReads`.
    static func isReadByPost(_ request: Request) -> Bool {
        let path = request.uri.path
        guard request.method == .post, path.hasPrefix("/prometheus/api/v1/") else { return false }
        return prometheusReads.contains(path.dropFirst("/prometheus/api/v1/".count))
    }
}
