import Foundation

/// Where an HTTP notification goes: an `http` or `https` URL taken apart for the client.
struct HTTPEndpoint: Sendable, Equatable {
    /// Whether the connection is wrapped in TLS.
    var tls: Bool
    /// The host name or IP address (IPv6 without brackets).
    var host: String
    /// The TCP port, 80 or 443 when the URL names none.
    var port: Int
    /// The request target: path and query, at least `/`.
    var target: String

    /// `host:port`, the only part of a URL that goes into logs and error messages (paths and queries of
    /// webhook URLs often carry tokens).
    var authority: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The `Host` header value.
    var hostHeader: String {
        let defaultPort = tls ? 443 : 80
        let name = host.contains(":") ? "[\(host)]" : host
        return port == defaultPort ? name : "\(name):\(port)"
    }

    /// Parses `url`; `what` names the setting in the error (`webhook url`).
    init(parsing url: String, what: String) throws(DeliveryError) {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else {
            throw .invalidTarget("\(what) must be an absolute http:// or https:// URL with a host")
        }
        guard components.user == nil, components.password == nil else {
            throw .invalidTarget("\(what) must not carry user:password@ (use the target's secret instead)")
        }
        tls = scheme == "https"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (tls ? 443 : 80)
        guard (1...65_535).contains(port) else { throw .invalidTarget("\(what) has an invalid port \(port)") }
        let path = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        target = components.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
    }

    /// This endpoint with `suffix` appended to its path (`/api/v2/alerts` under an Alertmanager base URL),
    /// without doubling the slash between them; a query on the base is dropped.
    func appendingPath(_ suffix: String) -> HTTPEndpoint {
        var copy = self
        let base = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? "/"
        copy.target = (base.hasSuffix("/") ? String(base.dropLast()) : base) + suffix
        return copy
    }
}

extension HTTPEndpoint {
    /// The part of a target URL that may be shown: `host:port`, or a placeholder when it does not parse.
    static func redactedAuthority(_ url: String) -> String {
        (try? HTTPEndpoint(parsing: url, what: "url"))?.authority ?? "invalid url"
    }
}
