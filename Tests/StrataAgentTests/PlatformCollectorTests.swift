import Testing
import StrataCore
@testable import StrataAgent

@Test func collectorReadsRecordedProcFiles() {
    var sink = MetricSink()
    let collector = PlatformCollector(fs: HostFS(root: FixturePaths.host("kvm-guest")))
    collector.collect(into: &sink)
    let hz = collector.ticksPerSecond
    #expect(sink.value("cpu_seconds_total", ["mode": "user"]) == 1000 / hz)
    #expect(sink.value("cpu_seconds_total", ["mode": "idle"]) == 50000 / hz)
    #expect(sink.value("cpu_core_seconds_total", ["cpu": "1", "mode": "steal"]) == 2 / hz)
    #expect(sink.value("cpu_cores") == 2)
    #expect(sink.value("context_switches_total") == 987_654)
    #expect(sink.value("forks_total") == 4321)
    #expect(sink.value("load_average_1m") == 0.52)
    #expect(sink.value("threads") == 187)
    #expect(sink.value("memory_total_bytes") == Double(4_028_440 * 1024))
    #expect(sink.value("memory_used_bytes") == Double((4_028_440 - 2_801_320) * 1024))
    #expect(sink.value("swap_used_bytes") == Double(100_000 * 1024))
    #expect(sink.value("disk_read_bytes_total", ["device": "vda"]) == Double(96_000 * 512))
    #expect(sink.value("disk_read_bytes_total", ["device": "vda1"]) == nil, "partitions are not double counted")
    #expect(sink.value("network_receive_bytes_total", ["interface": "eth0"]) == 5_000_000)
    #expect(sink.value("network_receive_drops_total", ["interface": "eth0"]) == 2)
    #expect(sink.value("network_transmit_drops_total", ["interface": "eth0"]) == 3)
    #expect(sink.value("uptime_seconds") == 12345.67)
    #expect(sink.value("filesystem_size_bytes", ["mountpoint": "/"]) != nil)
}

@Test func countersFollowPrometheusNaming() {
    var sink = MetricSink()
    PlatformCollector(fs: HostFS()).collect(into: &sink)
    SelfCollector().collect(into: &sink)
    #expect(!sink.readings.isEmpty)
    for reading in sink.readings {
        #expect(MetricName.isValid(reading.metric))
        #expect((reading.type == .counter) == reading.metric.hasSuffix("_total"), "\(reading.metric)")
    }
    #expect((sink.value("agent_resident_memory_bytes") ?? 0) > 0)
    #expect(sink.value("agent_cpu_seconds_total") != nil)
}

@Test func missingFilesYieldNoReadingsRatherThanGarbage() {
    var sink = MetricSink()
    PlatformCollector(fs: HostFS(root: "/nonexistent-strata-root")).collect(into: &sink)
    #expect(sink.readings.isEmpty)
}
