import Synchronization

/// The agent's credential as the command threads use it, with the HTTP client that carries it. The collection loop
/// sets it after each delivery round (enrollment may have changed it); the threads read it for each request.
///
/// Under mutual TLS the command threads get a TLS context of their own, loaded with the agent's certificate when
/// the credential is set: the uplink's context changes its certificate when the agent enrolls again, which must not
/// happen under a handshake on another thread. Without a client certificate nothing changes a context after it is
/// made, so the uplink's is shared.
final class ControlSession: Sendable {
    private let current = Mutex<(credential: String, client: HTTPClient)?>(nil)
    private let makeClient: @Sendable () throws -> HTTPClient

    /// A session whose clients `makeClient` makes (called again whenever the credential changes).
    init(makeClient: @escaping @Sendable () throws -> HTTPClient) {
        self.makeClient = makeClient
    }

    /// Notes the agent's current credential (nil while it has none); a new one gets a new client. Returns an error
    /// when no client could be made (the session then has no credential).
    @discardableResult
    func set(credential: String?) -> (any Error)? {
        guard let credential else {
            current.withLock { $0 = nil }
            return nil
        }
        if current.withLock({ $0?.credential == credential }) { return nil }
        do {
            let client = try makeClient()
            current.withLock { $0 = (credential, client) }
            return nil
        } catch {
            current.withLock { $0 = nil }
            return error
        }
    }

    /// The credential and its client, nil while the agent has none.
    var session: (credential: String, client: HTTPClient)? { current.withLock { $0 } }

    /// Whether the agent has a credential.
    var hasCredential: Bool { current.withLock { $0 != nil } }
}
