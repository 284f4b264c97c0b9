import Logging

/// The collectors the agent registers. Adding a source of readings is one type conforming to `Collector`,
/// listed here, plus its tests.
enum CollectorRegistry {
    /// The built-in collectors, in the order their findings appear in a batch: the platform, the agent
    /// itself, the servers (plugins from `settings`, scripts from `dataDirectory`), the containers, then one
    /// collector per hypervisor URI of `settings` (`libvirt.uris`).
    static func builtIn(fs: HostFS, settings: [String: String] = [:], dataDirectory: String? = nil, logger: Logger? = nil) -> [any Collector] {
        var uris: [String] = []
        for uri in HypervisorCollector.uris(from: settings) where !uris.contains(uri) { uris.append(uri) }
        return [
            PlatformCollector(fs: fs), SelfCollector(),
            ServerDiscovery(fs: fs, settings: settings, dataDirectory: dataDirectory, logger: logger),
            ContainerCollector(fs: fs),
        ] + uris.map { HypervisorCollector(uris: [$0], logger: logger) }
    }

    /// The collectors of a live batch: the platform's own readings and the agent's, cheap enough for every second.
    static func live(fs: HostFS) -> [any Collector] {
        [PlatformCollector(fs: fs), SelfCollector()]
    }
}
