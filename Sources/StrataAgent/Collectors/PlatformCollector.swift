#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// Reads platform metrics straight from /proc and /sys under a `HostFS` root: CPU seconds per mode
/// (total and per core), load, memory and swap, disk I/O, filesystem usage, network counters,
/// processes and threads, uptime.
public struct PlatformCollector: Sendable {
    let fs: HostFS
    /// Kernel clock ticks per second (USER_HZ) used by /proc/stat.
    let ticksPerSecond: Double

    /// Creates a collector over `fs`.
    public init(fs: HostFS) {
        self.fs = fs
        self.ticksPerSecond = KernelUnits.ticksPerSecond
    }

    /// Reads every platform metric into `sink`.
    public func collect(into sink: inout MetricSink) {
        collectStat(into: &sink)
        collectLoad(into: &sink)
        collectMemory(into: &sink)
        collectDisks(into: &sink)
        collectFilesystems(into: &sink)
        collectNetwork(into: &sink)
        collectUptime(into: &sink)
    }

    static let cpuModes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    func collectStat(into sink: inout MetricSink) {
        guard let text = fs.read("/proc/stat") else { return }
        var cores = 0
        for line in text.split(separator: "\n") {
            let parts = line.fields
            guard let name = parts.first else { continue }
            if name.hasPrefix("cpu") {
                let values = parts.dropFirst().map { Double($0) ?? 0 }
                let core = name.dropFirst(3)
                if core.isEmpty {
                    for (index, mode) in Self.cpuModes.enumerated() where index < values.count {
                        sink.counter("cpu_seconds_total", values[index] / ticksPerSecond, ["mode": mode])
                    }
                } else {
                    cores += 1
                    for (index, mode) in Self.cpuModes.enumerated() where index < values.count {
                        sink.counter("cpu_core_seconds_total", values[index] / ticksPerSecond, ["cpu": String(core), "mode": mode])
                    }
                }
                continue
            }
            guard parts.count >= 2, let value = Double(parts[1]) else { continue }
            switch name {
            case "ctxt": sink.counter("context_switches_total", value)
            case "processes": sink.counter("forks_total", value)
            case "procs_running": sink.gauge("processes_running", value)
            case "procs_blocked": sink.gauge("processes_blocked", value)
            case "btime": sink.gauge("boot_time_seconds", value)
            case "intr": sink.counter("interrupts_total", value)
            default: break
            }
        }
        sink.gauge("cpu_cores", Double(cores))
    }

    func collectLoad(into sink: inout MetricSink) {
        guard let parts = fs.readLine("/proc/loadavg")?.fields, parts.count >= 4 else { return }
        if let value = Double(parts[0]) { sink.gauge("load_average_1m", value) }
        if let value = Double(parts[1]) { sink.gauge("load_average_5m", value) }
        if let value = Double(parts[2]) { sink.gauge("load_average_15m", value) }
        let entities = parts[3].split(separator: "/")
        if entities.count == 2, let threads = Double(entities[1]) { sink.gauge("threads", threads) }
        let processes = fs.list("/proc").filter { $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }.count
        sink.gauge("processes", Double(processes))
    }

    func collectMemory(into sink: inout MetricSink) {
        guard let text = fs.read("/proc/meminfo") else { return }
        var kib: [String: Double] = [:]
        for (key, value) in parseColonFile(text) {
            if let number = Double(value.fields.first ?? "") { kib[key] = number * 1024 }
        }
        func emit(_ metric: String, _ key: String) {
            if let value = kib[key] { sink.gauge(metric, value) }
        }
        emit("memory_total_bytes", "MemTotal")
        emit("memory_free_bytes", "MemFree")
        emit("memory_available_bytes", "MemAvailable")
        emit("memory_buffers_bytes", "Buffers")
        emit("memory_cached_bytes", "Cached")
        emit("memory_shared_bytes", "Shmem")
        emit("swap_total_bytes", "SwapTotal")
        emit("swap_free_bytes", "SwapFree")
        if let total = kib["MemTotal"] {
            let available = kib["MemAvailable"] ?? ((kib["MemFree"] ?? 0) + (kib["Buffers"] ?? 0) + (kib["Cached"] ?? 0))
            sink.gauge("memory_used_bytes", total - available)
            if total > 0 { sink.gauge("memory_usage_ratio", (total - available) / total) }
        }
        if let total = kib["SwapTotal"], let free = kib["SwapFree"] { sink.gauge("swap_used_bytes", total - free) }
    }

    func collectDisks(into sink: inout MetricSink) {
        guard let text = fs.read("/proc/diskstats") else { return }
        let wholeDisks = Set(fs.list("/sys/block"))
        for line in text.split(separator: "\n") {
            let parts = line.fields
            guard parts.count >= 14 else { continue }
            let device = String(parts[2])
            guard wholeDisks.isEmpty || wholeDisks.contains(device),
                  !device.hasPrefix("loop"), !device.hasPrefix("ram") else { continue }
            let number = { (index: Int) in Double(parts[index]) ?? 0 }
            let labels: Labels = ["device": device]
            sink.counter("disk_reads_completed_total", number(3), labels)
            sink.counter("disk_read_bytes_total", number(5) * 512, labels)
            sink.counter("disk_read_time_seconds_total", number(6) / 1000, labels)
            sink.counter("disk_writes_completed_total", number(7), labels)
            sink.counter("disk_written_bytes_total", number(9) * 512, labels)
            sink.counter("disk_write_time_seconds_total", number(10) / 1000, labels)
            sink.gauge("disk_io_now", number(11), labels)
            sink.counter("disk_io_time_seconds_total", number(12) / 1000, labels)
        }
    }

    func collectFilesystems(into sink: inout MetricSink) {
        for mount in MountTable(fs: fs).realFilesystems() {
            guard let usage = mount.usage(fs: fs) else { continue }
            let labels: Labels = ["mountpoint": mount.mountpoint, "device": mount.device, "fstype": mount.fstype]
            sink.gauge("filesystem_size_bytes", Double(usage.sizeBytes), labels)
            sink.gauge("filesystem_free_bytes", Double(usage.freeBytes), labels)
            sink.gauge("filesystem_avail_bytes", Double(usage.availBytes), labels)
            sink.gauge("filesystem_files", Double(usage.files), labels)
            sink.gauge("filesystem_files_free", Double(usage.filesFree), labels)
        }
    }

    static let networkFields: [(index: Int, metric: String)] = [
        (0, "network_receive_bytes_total"), (1, "network_receive_packets_total"),
        (2, "network_receive_errors_total"), (3, "network_receive_drops_total"),
        (8, "network_transmit_bytes_total"), (9, "network_transmit_packets_total"),
        (10, "network_transmit_errors_total"), (11, "network_transmit_drops_total"),
    ]

    func collectNetwork(into sink: inout MetricSink) {
        guard let text = fs.read("/proc/net/dev") else { return }
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let interface = line[..<colon].trimmingSpaces
            let values = line[line.index(after: colon)...].fields
            guard values.count >= 16 else { continue }
            for field in Self.networkFields {
                sink.counter(field.metric, Double(values[field.index]) ?? 0, ["interface": interface])
            }
        }
    }

    func collectUptime(into sink: inout MetricSink) {
        guard let first = fs.readLine("/proc/uptime")?.fields.first, let uptime = Double(first) else { return }
        sink.gauge("uptime_seconds", uptime)
    }
}

extension PlatformCollector: PlatformReadingCollector {
    // A hung mount's `statvfs` costs a batch at most the budget.
    var name: String { "platform" }
    var schedule: CollectorSchedule { CollectorSchedule(budgetMs: 2_000) }
}
