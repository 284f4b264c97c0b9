import Hummingbird
import NIOCore
import StrataCatalog

/// Per-request context: the framework's storage plus who is calling and from where.
public struct StrataRequestContext: RequestContext {
    /// Framework storage.
    public var coreContext: CoreRequestContextStorage
    /// The authenticated principal, set by the auth middleware.
    public var principal: Principal?
    /// The client's IP address (or `local`), for rate limits and the audit log.
    public let remoteAddress: String
    /// The connection, to read a TLS client certificate from.
    let channel: any Channel

    /// Creates a context for a new request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.remoteAddress = source.channel.remoteAddress?.ipAddress ?? "local"
        self.channel = source.channel
    }

    /// JSON request bodies are small.
    public var maxUploadSize: Int { 1 << 20 }

    /// The principal, or a 401 if none authenticated (a route guarded by an auth middleware always has one).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized("credentials required") }
        return principal
    }
}
