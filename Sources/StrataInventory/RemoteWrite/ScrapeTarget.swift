import StrataCore

/// What a remote-written series says about where it was scraped: Prometheus's `job` and `instance` labels (or a
/// `host` label), split into host and port.
public struct ScrapeTarget: Hashable, Sendable {
    /// The `job` label.
    public let job: String?
    /// The `instance` label, e.g. `127.0.0.1:9100`.
    public let instance: String?
    /// The `host` label, as given.
    public let hostLabel: String?
    /// The host from `host`, else from `instance` without its port (`[::1]:9100` → `::1`), lower-cased.
    public let host: String?
    /// The port of `instance`, when it has one.
    public let port: Int?

    /// The target named by a series' labels.
    public init(labels: Labels) {
        self.init(job: labels["job"], instance: labels["instance"], hostLabel: labels["host"])
    }

    /// The target of a `job`, an `instance` and a `host` label (each may be missing).
    public init(job: String?, instance: String?, hostLabel: String? = nil) {
        self.job = job.flatMap { $0.isEmpty ? nil : $0 }
        self.instance = instance.flatMap { $0.isEmpty ? nil : $0 }
        self.hostLabel = hostLabel.flatMap { $0.isEmpty ? nil : $0 }
        let (instanceHost, port) = Self.split(self.instance)
        self.port = port
        if let hostLabel, !hostLabel.isEmpty {
            host = hostLabel.lowercased()
        } else {
            host = instanceHost?.lowercased()
        }
    }

    /// `host:port`, `[v6]:port`, or a bare host or address.
    static func split(_ instance: String?) -> (host: String?, port: Int?) {
        guard let instance else { return (nil, nil) }
        if instance.hasPrefix("["), let close = instance.firstIndex(of: "]") {
            let host = String(instance[instance.index(after: instance.startIndex)..<close])
            let rest = instance[instance.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Self.port(rest.dropFirst()) : nil)
        }
        let parts = instance.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return (instance, nil) }
        return (String(parts[0]), Self.port(parts[1]))
    }

    private static func port(_ text: Substring) -> Int? {
        guard let port = Int(text), (1...65_535).contains(port) else { return nil }
        return port
    }

    /// Whether the host names the machine the scraper runs on (which machine that is, the series cannot say).
    public var isLoopback: Bool {
        guard let host else { return false }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "0.0.0.0" || host == "::"
    }

    /// `job/instance` (a missing label is `-`): the natural key of the `source` resource of an unmatched target.
    public var sourceKey: String { (job ?? "-") + "/" + (instance ?? host ?? "-") }

    /// The instance, else the host, else the job, else "remote write".
    public var sourceName: String { instance ?? host ?? job ?? "remote write" }

    /// `db1.example.com` → `db1`; addresses stay whole.
    public static func shortName(_ host: String) -> String {
        if host.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { return host }
        return String(host.split(separator: ".").first ?? Substring(host))
    }
}
