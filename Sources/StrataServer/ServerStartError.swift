/// Why the server could not start, with what to do about it.
public enum ServerStartError: Error, CustomStringConvertible, Equatable {
    /// The data directory cannot be used as it is.
    case dataDirectory(String)
    /// The listen address cannot be bound (in use by another process, or not this host's).
    case listen(address: String, reason: String)

    public var description: String {
        switch self {
        case .dataDirectory(let reason): return reason
        case let .listen(address, reason): return "cannot listen on \(address): \(reason)"
        }
    }
}
