import CStrataVirt
import Logging
import StrataCore

/// One hypervisor as collected: its identity and readings, and its VMs.
public struct HypervisorReport: Sendable {
    /// The connection URI (part of the hypervisor's key).
    public var uri: String
    /// Display name.
    public var name: String
    /// Properties (driver, versions, node CPU and memory), or nil while it cannot be reached.
    public var properties: [(key: String, value: PropertyValue)]
    /// Hypervisor-level readings, with `up`.
    public var metrics: MetricSink
    /// Its domains; nil while it cannot be reached (its VMs are then not reported, so they raise no alert).
    public var vms: [VMReport]?
}

/// One VM (libvirt domain) as collected.
public struct VMReport: Sendable {
    /// SMBIOS UUID in lower case: the VM's identity wherever it runs.
    public var uuid: String
    /// Domain name.
    public var name: String
    /// Properties: uuid, state, vCPUs, memory, NICs (MACs), disks.
    public var properties: [(key: String, value: PropertyValue)]
    /// Readings, with `up` 1 while running.
    public var metrics: MetricSink
}

/// Collects every configured libvirt URI (`libvirt.uris` in plugins.conf, comma-separated) each interval.
/// A URI that fails is retried with exponential backoff (interval, doubled up to 5 min) and reported as a
/// hypervisor with `up` 0; it never stalls the other URIs or the platform's collection.
public struct HypervisorCollector: Sendable {
    /// The configured URIs, in order.
    public let uris: [String]
    /// What the collector keeps per URI: its open connection, or, while it fails, its backoff and when to try
    /// again. One of the two at a time.
    enum Link {
        case open(LibvirtConnection)
        case failing(Backoff, retryAtMs: Int64)
    }

    private var links: [String: Link] = [:]
    let logger: Logger?

    /// A collector for `uris`.
    public init(uris: [String], logger: Logger? = nil) {
        self.uris = uris
        self.logger = logger
    }

    /// A collector over connections already open (a test holding test-driver hosts it changes).
    public init(connections: [LibvirtConnection], logger: Logger? = nil) {
        self.uris = connections.map(\.uri)
        self.logger = logger
        for connection in connections { links[connection.uri] = .open(connection) }
    }

    /// The URIs of `settings["libvirt.uris"]`.
    public static func uris(from settings: [String: String]) -> [String] {
        (settings["libvirt.uris"] ?? "").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
    }

    /// Libvirt domain states by number (virDomainState).
    static let states = ["nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"]

    /// One collection of every URI at `nowMs` (monotonic enough for backoff).
    public mutating func collect(nowMs: Int64, intervalMs: Int64) -> [HypervisorReport] {
        var reports: [HypervisorReport] = []
        for uri in uris {
            // While backing off, the hypervisor is reported down without another attempt (or a longer wait).
            if case .failing(_, let retry) = links[uri], nowMs < retry {
                reports.append(Self.unreachable(uri))
                continue
            }
            var failingBackoff: Backoff?
            if case .failing(let backoff, _) = links[uri] { failingBackoff = backoff }
            do {
                let connection = try connection(uri)
                let node = try connection.node()
                let domains = try connection.domains()
                reports.append(Self.report(uri: uri, node: node, domains: domains))
                if failingBackoff != nil { logger?.info("hypervisor reachable again", metadata: ["uri": "\(uri)"]) }
            } catch {
                if failingBackoff == nil {
                    logger?.warning("cannot collect hypervisor; retrying with backoff", metadata: ["uri": "\(uri)", "reason": "\(error)"])
                }
                var backoff = failingBackoff ?? Backoff(initialMs: min(intervalMs, 300_000), maximumMs: 300_000)
                links[uri] = .failing(backoff, retryAtMs: nowMs + backoff.fail())
                reports.append(Self.unreachable(uri))
            }
        }
        return reports
    }

    /// A hypervisor that cannot be reached: `up` 0 and no VM list (so its VMs raise no alerts).
    static func unreachable(_ uri: String) -> HypervisorReport {
        var metrics = MetricSink()
        metrics.gauge("up", 0)
        return HypervisorReport(uri: uri, name: "libvirt \(uri)", properties: [], metrics: metrics, vms: nil)
    }

    /// The URI's open connection, else a new one.
    private mutating func connection(_ uri: String) throws -> LibvirtConnection {
        if case .open(let open) = links[uri], open.isAlive { return open }
        let connection = try LibvirtConnection(uri: uri)
        links[uri] = .open(connection)
        return connection
    }

    /// The report of one reachable hypervisor.
    static func report(uri: String, node: strata_virt_node, domains: [LibvirtDomain]) -> HypervisorReport {
        let driver = LibvirtDomain.text(node.type)
        let hostname = LibvirtDomain.text(node.hostname)
        var properties: [(key: String, value: PropertyValue)] = [
            ("type", .string("libvirt")), ("uri", .string(uri)), ("driver", .string(driver)),
            ("version", .string(versionText(node.version))), ("libvirt_version", .string(versionText(node.libvirt_version))),
            ("hostname", .string(hostname)), ("cpu_model", .string(LibvirtDomain.text(node.model))),
            ("cpus", .int(Int64(node.cpus))), ("cpu_mhz", .int(Int64(node.mhz))), ("memory_bytes", .int(Int64(node.memory_kib) * 1024)),
        ]
        properties.append(("vm_count", .int(Int64(domains.count))))
        var metrics = MetricSink()
        metrics.gauge("libvirt_node_cpus", Double(node.cpus))
        metrics.gauge("libvirt_node_memory_bytes", Double(node.memory_kib) * 1024)
        var byState: [String: Int] = [:]
        var vms: [VMReport] = []
        for domain in domains {
            let state = domain.info.state >= 0 && Int(domain.info.state) < states.count ? states[Int(domain.info.state)] : "unknown"
            byState[state, default: 0] += 1
            vms.append(vmReport(domain, state: state, uri: uri))
        }
        for state in states where byState[state] != nil || state == "running" {
            metrics.gauge("libvirt_domains", Double(byState[state] ?? 0), ["state": state])
        }
        metrics.gauge("up", 1)
        return HypervisorReport(uri: uri, name: "\(driver.lowercased()) \(hostname.isEmpty ? uri : hostname)", properties: properties,
                                metrics: metrics, vms: vms)
    }

    static func vmReport(_ domain: LibvirtDomain, state: String, uri: String) -> VMReport {
        let info = domain.info
        var properties: [(key: String, value: PropertyValue)] = [
            ("uuid", .string(domain.uuid)), ("name", .string(domain.name)), ("state", .string(state)),
            ("vcpus", .int(Int64(info.vcpus))), ("max_memory_bytes", .int(Int64(info.max_memory_kib) * 1024)),
            ("nics", .list(domain.description.interfaces.map { .map([("mac", .string($0.mac))]) })),
            ("disks", .list(domain.description.disks.map { .string($0) })),
            // For VM failover: whether the disks are on shared storage, and the definition to start it from elsewhere.
            ("disk_sources", .list(domain.description.diskSources.map { .string($0) })),
        ]
        if !domain.description.xml.isEmpty { properties.append(("definition", .string(domain.description.xml))) }
        if let type = domain.description.type { properties.append(("domain_type", .string(type))) }
        let osType = LibvirtDomain.text(info.os_type)
        if !osType.isEmpty { properties.append(("os_type", .string(osType))) }
        properties.append(("state_reason", .int(Int64(info.reason))))
        var metrics = MetricSink()
        metrics.gauge("libvirt_domain_state", Double(info.state))
        metrics.gauge("libvirt_domain_vcpus", Double(info.vcpus))
        metrics.gauge("libvirt_domain_memory_bytes", Double(info.memory_kib) * 1024)
        metrics.gauge("libvirt_domain_max_memory_bytes", Double(info.max_memory_kib) * 1024)
        if info.state == 1 { metrics.counter("libvirt_domain_cpu_seconds_total", Double(info.cpu_time_ns) / 1e9) }
        for (device, stats) in domain.interfaceStats {
            let mac = domain.description.interfaces.first { $0.target == device }?.mac ?? ""
            // NICs are labelled by MAC: drivers rename the host-side device (the test driver's `testnet0`).
            let labels: Labels = ["mac": mac]
            metrics.counter("libvirt_domain_interface_receive_bytes_total", Double(stats.rx_bytes), labels)
            metrics.counter("libvirt_domain_interface_transmit_bytes_total", Double(stats.tx_bytes), labels)
            metrics.counter("libvirt_domain_interface_receive_packets_total", Double(stats.rx_packets), labels)
            metrics.counter("libvirt_domain_interface_transmit_packets_total", Double(stats.tx_packets), labels)
            metrics.counter("libvirt_domain_interface_errors_total", Double(stats.rx_errs + stats.tx_errs), labels)
            metrics.counter("libvirt_domain_interface_drops_total", Double(stats.rx_drop + stats.tx_drop), labels)
        }
        for (device, stats) in domain.blockStats {
            let labels: Labels = ["device": device]
            metrics.counter("libvirt_domain_block_read_bytes_total", Double(stats.rd_bytes), labels)
            metrics.counter("libvirt_domain_block_write_bytes_total", Double(stats.wr_bytes), labels)
            metrics.counter("libvirt_domain_block_read_requests_total", Double(stats.rd_req), labels)
            metrics.counter("libvirt_domain_block_write_requests_total", Double(stats.wr_req), labels)
        }
        metrics.gauge("up", info.state == 1 ? 1 : 0)
        return VMReport(uuid: domain.uuid, name: domain.name, properties: properties, metrics: metrics)
    }

    /// libvirt's version number (major × 1,000,000 + minor × 1,000 + release) as text.
    static func versionText(_ number: UInt) -> String {
        "\(number / 1_000_000).\(number / 1000 % 1000).\(number % 1000)"
    }
}
