import StrataCore

/// Per-process metrics every discovered server gets: CPU seconds, resident memory, threads, open file
/// descriptors and I/O bytes, from `/proc/PID/{stat,status,fd,io}` (children not included).
public struct ProcessMetrics: Sendable {
    let fs: HostFS
    let ticksPerSecond: Double
    let pageSize: Double

    /// Creates the collector over `fs`.
    public init(fs: HostFS) {
        self.fs = fs
        ticksPerSecond = KernelUnits.ticksPerSecond
        pageSize = KernelUnits.pageSize
    }

    /// Adds `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_threads`,
    /// `process_open_fds` and `process_io_{read,write}_bytes_total` of `pid`.
    public func collect(pid: Int32, into sink: inout MetricSink) {
        if let fields = fs.processStatFields(String(pid)) {
            if fields.count > 21, let user = Double(fields[11]), let system = Double(fields[12]),
               let threads = Double(fields[17]), let rssPages = Double(fields[21]) {
                sink.counter("process_cpu_seconds_total", (user + system) / ticksPerSecond)
                sink.gauge("process_threads", threads)
                sink.gauge("process_resident_memory_bytes", rssPages * pageSize)
            }
        }
        sink.gauge("process_open_fds", Double(fs.list("/proc/\(pid)/fd").count))
        if let io = fs.read("/proc/\(pid)/io") {
            for entry in parseColonFile(io) {
                guard let value = Double(entry.value.trimmingSpaces) else { continue }
                if entry.key == "read_bytes" { sink.counter("process_io_read_bytes_total", value) }
                if entry.key == "write_bytes" { sink.counter("process_io_write_bytes_total", value) }
            }
        }
    }
}
