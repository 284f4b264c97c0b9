import Hummingbird
import StrataCatalog
import Synchronization

/// What a route needs from its caller, checked before its handler runs (and before its body is read).
public enum Requirement: Sendable, Equatable, CustomStringConvertible {
    /// Nothing: public (health, login).
    case none
    /// Any authenticated user.
    case authenticated
    /// A user holding this permission in the tenant.
    case permission(Permission)
    /// A user holding this permission on the resource named by the route's `:id` (tenant role or a group grant).
    case onResource(Permission)
    /// An enrolled agent's credential.
    case agentCredential
    /// An agent enrollment token.
    case enrollmentToken

    public var description: String {
        switch self {
        case .none: return "public"
        case .authenticated: return "any user"
        case .permission(let permission): return permission.rawValue
        case .onResource(let permission): return permission.rawValue + " on the resource"
        case .agentCredential: return "agent credential"
        case .enrollmentToken: return "enrollment token"
        }
    }

    /// Throws 401/403 unless `principal` meets the requirement; `resourceID` and `authorizer` serve `onResource`.
    func check(_ principal: Principal?, resourceID: String?, authorizer: Authorizer) async throws {
        switch self {
        case .none: return
        case .onResource(let permission):
            guard let principal, principal.role != nil else { throw APIError.unauthorized("user credentials required") }
            try await authorizer.require(permission, of: principal, on: resourceID ?? "")
        case .authenticated:
            guard let principal, principal.role != nil else { throw APIError.unauthorized("user credentials required") }
        case .permission(let permission):
            guard let principal, principal.role != nil else { throw APIError.unauthorized("user credentials required") }
            if let denial = principal.denial(permission) { throw APIError.forbidden(denial) }
        case .agentCredential:
            guard principal?.kind == .agent else {
                throw APIError.unauthorized("an enrolled agent's credential is required; enroll with POST /api/agent/v1/enroll")
            }
        case .enrollmentToken:
            guard principal?.kind == .enrollment else { throw APIError.unauthorized("an agent enrollment token is required") }
        }
    }
}

/// One route as registered: method, full path and requirement. The table is how tests reach every route.
public struct RouteRule: Sendable, Equatable {
    /// HTTP method.
    public var method: HTTPRequest.Method
    /// Full path with `:parameters`.
    public var path: String
    /// What the caller needs.
    public var requirement: Requirement
}

/// Every route the server registered, in order.
public final class RouteTable: Sendable {
    private let rules = Mutex<[RouteRule]>([])
    private let onEventLoop = Mutex<Set<String>>([])

    /// Creates an empty table.
    public init() {}

    /// The routes registered so far.
    public var all: [RouteRule] { rules.withLock { $0 } }

    func add(_ rule: RouteRule) { rules.withLock { $0.append(rule) } }

    /// Marks a full path (no `:parameters`) whose handler may run on its connection's event loop.
    func allowOnEventLoop(_ path: String) { _ = onEventLoop.withLock { $0.insert(path) } }

    /// Whether requests to `path` may be served on their connection's event loop (`ExecutorPlacementMiddleware`).
    func mayRunOnEventLoop(_ path: String) -> Bool { onEventLoop.withLock { $0.contains(path) } }
}

/// A router group whose every route declares its requirement, which is checked first and recorded.
struct SecuredGroup {
    let group: RouterGroup<StrataRequestContext>
    let prefix: String
    let table: RouteTable
    let authorizer: Authorizer

    /// Registers `handler` for `method path`, guarded by `requirement`.
    @discardableResult
    func on(_ method: HTTPRequest.Method, _ path: String, _ requirement: Requirement,
            _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) -> SecuredGroup {
        table.add(RouteRule(method: method, path: path.isEmpty ? prefix : prefix + "/" + path, requirement: requirement))
        let authorizer = self.authorizer
        group.on(RouterPath(path), method: method) { request, context in
            try await requirement.check(context.principal, resourceID: context.parameters.get("id"), authorizer: authorizer)
            return try await handler(request, context)
        }
        return self
    }

    func get(_ path: String, _ requirement: Requirement,
             _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        on(.get, path, requirement, handler)
    }

    func post(_ path: String, _ requirement: Requirement,
              _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        on(.post, path, requirement, handler)
    }

    /// `post` for a handler whose work is small and bounded (ingest: decode, one engine turn, a wait), which may run
    /// on the connection's event loop when the request's body is declared small (`ExecutorPlacementMiddleware`).
    func postOnEventLoop(_ path: String, _ requirement: Requirement,
                         _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        precondition(!path.contains(":"), "only fixed paths may run on the event loop")
        on(.post, path, requirement, handler)
        table.allowOnEventLoop(path.isEmpty ? prefix : prefix + "/" + path)
    }

    func patch(_ path: String, _ requirement: Requirement,
               _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        on(.patch, path, requirement, handler)
    }

    func put(_ path: String, _ requirement: Requirement,
             _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        on(.put, path, requirement, handler)
    }

    func delete(_ path: String, _ requirement: Requirement,
                _ handler: @escaping @Sendable (Request, StrataRequestContext) async throws -> Response) {
        on(.delete, path, requirement, handler)
    }
}
