#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The agent's own footprint: CPU seconds and resident memory, always read from the real /proc/self.
public struct SelfCollector: Sendable {
    private let fs = HostFS(root: "/")
    private let ticksPerSecond = KernelUnits.ticksPerSecond

    /// Creates the collector.
    public init() {}

    /// Adds `agent_cpu_seconds_total` and `agent_resident_memory_bytes`.
    public func collect(into sink: inout MetricSink) {
        if let fields = fs.processStatFields("self") {
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                sink.counter("agent_cpu_seconds_total", (user + system) / ticksPerSecond)
            }
        }
        if let status = fs.read("/proc/self/status"),
           let rss = parseColonFile(status).first(where: { $0.key == "VmRSS" }),
           let kib = Double(rss.value.fields.first ?? "") {
            sink.gauge("agent_resident_memory_bytes", kib * 1024)
        }
    }
}

extension SelfCollector: PlatformReadingCollector {
    var name: String { "agent" }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 500) }
}
