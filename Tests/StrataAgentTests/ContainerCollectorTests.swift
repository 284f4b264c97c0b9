import Foundation
import Testing
@testable import StrataAgent

@Test func containersAreFoundInCgroupV1AndV2TreesButVMScopesAreNot() throws {
    let root = NSTemporaryDirectory() + "strata-cgroups-\(UInt32.random(in: 0...UInt32.max))"
    defer { try? FileManager.default.removeItem(atPath: root) }
    let dockerV1 = String(repeating: "a1", count: 32)
    let dockerV2 = String(repeating: "b2", count: 32)
    func put(_ text: String, _ path: String) throws {
        try FileManager.default.createDirectory(atPath: root + (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: root + path, atomically: true, encoding: .utf8)
    }
    // A hybrid host: v1 controllers and cgroup2 at /sys/fs/cgroup/unified.
    try put("", "/sys/fs/cgroup/unified/cgroup.controllers")
    // Every cgroup directory has a cgroup.procs file; the walk follows them.
    for parent in ["memory/docker", "cpuacct/docker", "blkio/docker", "unified/system.slice", "unified/machine.slice"] {
        try put("", "/sys/fs/cgroup/\(parent)/cgroup.procs")
    }
    try put("101\n102\n", "/sys/fs/cgroup/memory/docker/\(dockerV1)/cgroup.procs")
    try put("52428800\n", "/sys/fs/cgroup/memory/docker/\(dockerV1)/memory.usage_in_bytes")
    try put("9223372036854771712\n", "/sys/fs/cgroup/memory/docker/\(dockerV1)/memory.limit_in_bytes")
    try put("101\n", "/sys/fs/cgroup/cpuacct/docker/\(dockerV1)/cgroup.procs")
    try put("2500000000\n", "/sys/fs/cgroup/cpuacct/docker/\(dockerV1)/cpuacct.usage")
    try put("", "/sys/fs/cgroup/blkio/docker/\(dockerV1)/cgroup.procs")
    try put("8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n", "/sys/fs/cgroup/blkio/docker/\(dockerV1)/blkio.throttle.io_service_bytes")
    try put("7\n", "/sys/fs/cgroup/unified/system.slice/docker-\(dockerV2).scope/cgroup.procs")
    try put("usage_usec 1500000\nuser_usec 1000000\n", "/sys/fs/cgroup/unified/system.slice/docker-\(dockerV2).scope/cpu.stat")
    try put("1048576\n", "/sys/fs/cgroup/unified/system.slice/docker-\(dockerV2).scope/memory.current")
    try put("2097152\n", "/sys/fs/cgroup/unified/system.slice/docker-\(dockerV2).scope/memory.max")
    try put("8:0 rbytes=100 wbytes=200 rios=1 wios=2\n", "/sys/fs/cgroup/unified/system.slice/docker-\(dockerV2).scope/io.stat")
    try put("", "/sys/fs/cgroup/unified/lxc.payload.build01/cgroup.procs")
    try put("", "/sys/fs/cgroup/unified/machine.slice/machine-qemu\\x2d1\\x2dweb01.scope/cgroup.procs")
    try put(#"{"ID":"x","Name":"/crm-web","Config":{"Image":"nginx:1.25"}}"#, "/var/lib/docker/containers/\(dockerV1)/config.v2.json")

    let collector = ContainerCollector(fs: HostFS(root: root))
    let containers = collector.discover()
    #expect(containers.map { "\($0.runtime):\($0.displayName)" } == ["docker:crm-web", "docker:\(dockerV2.prefix(12))", "lxc:build01"],
            "Docker (v1 and v2) and LXC; the QEMU machine scope is a VM's, not a container")
    let v1 = containers[0]
    #expect(v1.image == "nginx:1.25")
    #expect(Set(v1.v1.keys) == ["memory", "cpuacct", "blkio"])
    var sink = MetricSink()
    collector.collect(v1, into: &sink)
    #expect(sink.value("container_cpu_seconds_total") == 2.5)
    #expect(sink.value("container_memory_bytes") == 52_428_800)
    #expect(sink.value("container_memory_limit_bytes") == nil, "no limit is not a limit")
    #expect(sink.value("container_io_read_bytes_total") == 4096 && sink.value("container_io_write_bytes_total") == 8192)
    #expect(sink.value("container_processes") == 2)
    var v2 = MetricSink()
    collector.collect(containers[1], into: &v2)
    #expect(v2.value("container_cpu_seconds_total") == 1.5)
    #expect(v2.value("container_memory_limit_bytes") == 2_097_152)
    #expect(v2.value("container_io_write_bytes_total") == 200)
}
