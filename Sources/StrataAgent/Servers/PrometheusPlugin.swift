import StrataCore

/// Prometheus endpoints: exporters found among the processes (a name ending in `exporter`, e.g.
/// `node_exporter`, or starting with `prometheus`) are scraped at `/metrics` on their listening port,
/// and every URL in `prometheus.targets` (comma-separated) is scraped too. A target whose port belongs to
/// a server another plugin found adds its series to that server (see `ServerDiscovery`); otherwise the
/// process listening on it becomes a server of type `exporter` holding them. Exporters listening on a port of
/// `prometheus.skip_ports` (comma-separated) are left alone: a Prometheus remote-writes them already.
public struct PrometheusPlugin: ServerPlugin {
    /// Configured scrape URLs.
    public let targets: [String]
    /// Ports whose exporters are not scraped.
    public let skipPorts: Set<UInt16>

    public var type: String { "exporter" }
    public var processNames: Set<String> { [] }

    /// The plugin with the `prometheus.targets` of `settings`.
    public init(settings: [String: String]) {
        targets = (settings["prometheus.targets"] ?? "").split(separator: ",").map { $0.trimmingSpaces }.filter { !$0.isEmpty }
        skipPorts = Set((settings["prometheus.skip_ports"] ?? "").split(separator: ",").compactMap { UInt16($0.trimmingSpaces) })
    }

    /// The port of each configured target.
    var targetPorts: [UInt16: String] {
        var ports: [UInt16: String] = [:]
        for target in targets {
            if let client = try? HTTPClient(baseURL: target) { ports[client.port] = target }
        }
        return ports
    }

    static func isExporterName(_ name: String) -> Bool {
        name.hasSuffix("exporter") || name.hasPrefix("prometheus")
    }

    public func mayOwn(processNamed name: String) -> Bool {
        Self.isExporterName(name) || !targets.isEmpty
    }

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        guard !process.listeningPorts.isEmpty, !process.listeningPorts.contains(where: skipPorts.contains) else { return false }
        let ports = targetPorts
        return Self.isExporterName(process.name) || process.listeningPorts.contains { ports[$0] != nil }
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "exporter:\(scrapeURL(process).port)"
    }

    /// The configured target this process serves, else `/metrics` on its first listening port.
    func scrapeURL(_ process: ProcessEntry) -> (url: String, port: UInt16) {
        let ports = targetPorts
        if let port = process.listeningPorts.first(where: { ports[$0] != nil }), let url = ports[port] { return (url, port) }
        let port = process.listeningPorts.first ?? 0
        return ("http://127.0.0.1:\(port)/metrics", port)
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let (url, port) = scrapeURL(process)
        var report = ServerReport(key: key(for: process, context: context), name: "\(process.name) :\(port)",
                                  properties: [("type", .string("exporter")), ("executable", .string(process.executable)),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) })),
                                               ("scrape_url", .string(url))])
        do {
            for reading in try Self.scrape(url, timeoutMs: context.timeoutMs) { report.metrics.append(reading) }
        } catch {
            report.status = .failed("\(url): \(error)")
        }
        return report
    }

    /// The readings at `url` (at most 16 MiB of text and 20,000 samples).
    static func scrape(_ url: String, timeoutMs: Int32) throws -> [Reading] {
        var client = try HTTPClient(baseURL: url)
        client.timeoutMs = timeoutMs
        client.maxResponseBytes = 16 << 20
        let response = try client.send(method: "GET", path: "", headers: [("Accept", "text/plain;version=0.0.4")])
        guard response.status == 200 else { throw PrometheusText.Failure(description: "HTTP \(response.status)") }
        return try PrometheusText.parse(response.text)
    }
}
