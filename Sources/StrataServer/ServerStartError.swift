/// Why the server could not start, with what to do about it.
public enum ServerStartError: Error, CustomStringConvertible, Equatable {
    /// The data directory cannot be used as it is.
    case dataDirectory(String)

    public var description: String {
        switch self {
        case .dataDirectory(let reason): return reason
        }
    }
}
