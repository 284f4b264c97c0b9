/// The `depends-on` edges a server's connections show: each remote end `ADDRESS:PORT` is the server
/// listening on that port on the platform with that address (the server's own platform for loopback
/// addresses). An address two platforms claim (NAT, cloned VMs) or a port two servers claim makes no edge
/// rather than a wrong one.
public enum DependencyResolver {
    /// One remote end of a connection.
    public struct Endpoint: Sendable, Equatable, Hashable {
        /// The text as reported, e.g. `10.0.0.5:3306`.
        public var text: String
        /// The address without brackets.
        public var address: String
        /// The port.
        public var port: Int
        /// Whether the address is the host itself (127.0.0.0/8, ::1).
        public var isLoopback: Bool { address.hasPrefix("127.") || address == "::1" }
    }

    /// The endpoints of `connections` (`ADDRESS:PORT`, IPv6 in brackets); malformed entries are skipped.
    public static func endpoints(_ connections: [String]) -> [Endpoint] {
        connections.compactMap { remote in
            guard let colon = remote.lastIndex(of: ":"), let port = Int(remote[remote.index(after: colon)...]), (1...65535).contains(port) else {
                return nil
            }
            var address = Substring(remote[..<colon])
            if address.hasPrefix("["), address.hasSuffix("]") { address = address.dropFirst().dropLast() }
            return Endpoint(text: remote, address: String(address), port: port)
        }
    }

    /// A server an edge can point at.
    public struct Target: Sendable, Equatable {
        /// Its resource id.
        public var id: String
        /// Its display name.
        public var name: String

        /// A target.
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    /// The edge for one endpoint: the one server among `servers` (those listening on its port on the one
    /// platform with its address), unless that is the source itself.
    public static func target(sourceID: String, platformsWithAddress: Int, servers: [Target]) -> Target? {
        guard platformsWithAddress == 1 else { return nil }
        let others = servers.filter { $0.id != sourceID }
        return others.count == 1 ? others[0] : nil
    }

    /// The event for an edge not seen before.
    public static func newEdgeEvent(sourceID: String, sourceName: String, target: Target, endpoint: Endpoint) -> InventoryEvent {
        InventoryEvent(resourceID: sourceID, kind: .relation, message: "server \(sourceName) depends on \(target.name) (connection to \(endpoint.text))")
    }
}
