import Logging
import StrataCore

/// `strata-agent --discover`: one discovery pass over this host, printed for a person: each server with
/// its properties, status and readings, and its services below it.
public enum DiscoveryPrinter {
    /// The report text, with the plugin settings of `dataDirectory`.
    public static func text(dataDirectory: String, hostRoot: String) -> String {
        let logger = Logger(label: "strata.agent.discover")
        let fs = HostFS(root: hostRoot)
        let settings = PluginSettings.load(path: dataDirectory + "/plugins.conf", logger: logger)
        var discovery = ServerDiscovery(fs: fs, settings: settings, dataDirectory: dataDirectory, logger: logger)
        let found = discovery.collect(refresh: true)
        var hypervisors = HypervisorCollector(uris: HypervisorCollector.uris(from: settings), logger: logger)
        let virtualization = hypervisors.collect(nowMs: 0, intervalMs: 10_000)
        if found.servers.isEmpty && virtualization.isEmpty { return "no servers found\n" }
        var out = ""
        func describe(_ properties: [(key: String, value: PropertyValue)], _ readings: MetricSink, indent: String) {
            for (key, value) in properties { out += "\(indent)\(key): \(Self.describe(value))\n" }
            for reading in readings.readings { out += "\(indent)\(line(reading))\n" }
        }
        for hypervisor in virtualization {
            out += "libvirt:\(hypervisor.uri)  \(hypervisor.name)\n"
            describe(hypervisor.properties, hypervisor.metrics, indent: "  ")
            for vm in hypervisor.vms ?? [] {
                out += "  vm \(vm.uuid) \(vm.name)\n"
                describe(vm.properties, vm.metrics, indent: "    ")
            }
        }
        for server in found.servers {
            out += "\(server.key)  \(server.name)\n"
            if case .failed(let reason) = server.status { out += "  status: failed: \(reason)\n" }
            describe(server.properties, server.metrics, indent: "  ")
            for service in server.services {
                out += "  service \(service.key)\n"
                describe(service.properties, service.metrics, indent: "    ")
            }
        }
        return out
    }

    static func line(_ reading: Reading) -> String {
        let labels = reading.labels.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
        return "\(reading.metric)\(labels.isEmpty ? "" : "{\(labels)}") \(reading.value)"
    }

    static func describe(_ value: PropertyValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .list(let items): return items.map(describe).joined(separator: ", ")
        case .map(let entries): return "{" + entries.map { "\($0.key)=\(describe($0.value))" }.joined(separator: " ") + "}"
        default: return "\(value)"
        }
    }
}
