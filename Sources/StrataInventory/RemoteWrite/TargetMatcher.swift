import StrataCore

/// Which inventory resource a remote-written series belongs to. A scrape target joins what the agents found:
/// the server listening on the target's port on the platform the host names, else that platform; a target on
/// `localhost`/`127.0.0.1` (the scraper's own machine, which the series cannot name) joins the one server in the
/// tenant listening on that port, if exactly one does. Anything else becomes a `source` of its own, keyed by
/// `job/instance`. Platforms' agent metrics are never joined to a target's availability: an exporter that is
/// down says nothing about its machine.
public enum TargetMatcher {
    /// A platform as the matcher sees it.
    public struct Platform: Sendable, Equatable {
        public let id: String
        /// Lower-cased names and addresses it answers to: its name, host name, short host name, interface addresses.
        public let names: Set<String>

        public init(id: String, names: Set<String>) {
            self.id = id
            self.names = names
        }

        /// A platform from its stored name and properties (`hostname`, and `nics[].addresses` as `a.b.c.d/prefix`).
        public init(id: String, name: String, properties: PropertyValue) {
            var names: Set<String> = [name.lowercased(), ScrapeTarget.shortName(name.lowercased())]
            if let hostname = properties["hostname"]?.stringValue?.lowercased(), !hostname.isEmpty {
                names.insert(hostname)
                names.insert(ScrapeTarget.shortName(hostname))
            }
            if case .list(let nics)? = properties["nics"] {
                for nic in nics {
                    guard case .list(let addresses)? = nic["addresses"] else { continue }
                    for case .string(let address) in addresses {
                        let bare = address.split(separator: "/").first.map(String.init) ?? address
                        if !bare.isEmpty { names.insert(bare.lowercased()) }
                    }
                }
            }
            self.init(id: id, names: names)
        }
    }

    /// A server as the matcher sees it: where it runs and the ports it listens on.
    public struct Server: Sendable, Equatable {
        public let id: String
        public let platformID: String?
        public let ports: Set<Int>

        public init(id: String, platformID: String?, ports: Set<Int>) {
            self.id = id
            self.platformID = platformID
            self.ports = ports
        }

        /// A server from its stored `ports` property.
        public init(id: String, platformID: String?, properties: PropertyValue) {
            var ports: Set<Int> = []
            if case .list(let values)? = properties["ports"] {
                for case .int(let port) in values { ports.insert(Int(truncatingIfNeeded: port)) }
            }
            self.init(id: id, platformID: platformID, ports: ports)
        }
    }

    /// Where a target's series go.
    public enum Owner: Equatable, Sendable {
        case server(id: String)
        case platform(id: String)
        /// No agent found it: a `source` resource keyed by the target's `job/instance`.
        case source
    }

    /// The owner of `target` among a tenant's `platforms` and `servers`.
    public static func owner(of target: ScrapeTarget, platforms: [Platform], servers: [Server]) -> Owner {
        guard let host = target.host else { return .source }
        if target.isLoopback {
            guard let port = target.port else { return .source }
            let listening = servers.filter { $0.ports.contains(port) }
            return listening.count == 1 ? .server(id: listening[0].id) : .source
        }
        let named = platforms.filter { $0.names.contains(host) || $0.names.contains(ScrapeTarget.shortName(host)) }
        guard named.count == 1, let platform = named.first else { return .source }
        if let port = target.port {
            let listening = servers.filter { $0.platformID == platform.id && $0.ports.contains(port) }
            if listening.count == 1 { return .server(id: listening[0].id) }
        }
        return .platform(id: platform.id)
    }
}
