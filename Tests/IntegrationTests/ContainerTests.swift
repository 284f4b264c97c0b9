import Foundation
import Testing

/// Real cgroups on this hybrid host: a v1 `docker/<id>` memory+cpuacct cgroup and a v2 `docker-<id>.scope`,
/// each holding a process that burns a little CPU; the real agent reports both as containers (never VMs)
/// with CPU and memory. Only the cgroups the test made are removed.
@Suite(.serialized) struct ContainerTests {
    @Test func cgroupV1AndV2ContainersAreReportedWithCPUAndMemory() throws {
        let v1ID = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let v2ID = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        let manager = FileManager.default
        var made: [String] = []
        func makeCgroup(_ path: String) throws {
            if !manager.fileExists(atPath: path) {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: false)
                made.append(path)
            }
        }
        for controller in ["memory", "cpuacct"] {
            try makeCgroup("/sys/fs/cgroup/\(controller)/docker")
            try makeCgroup("/sys/fs/cgroup/\(controller)/docker/\(v1ID)")
        }
        try makeCgroup("/sys/fs/cgroup/unified/docker-\(v2ID).scope")
        let bed = try Testbed("containers")
        // Each worker waits until it is in its cgroup, then burns some CPU and memory, then sleeps.
        func worker(_ name: String) throws -> StrataProcess {
            try StrataProcess(executable: "/bin/sh", ["-c", "while [ ! -f \(bed.directory)/go-\(name) ]; do sleep 0.05; done; " +
                                                      "dd if=/dev/zero of=/dev/null bs=4M count=400 2>/dev/null; exec sleep 120"],
                              logPath: bed.directory + "/\(name).log")
        }
        let inV1 = try worker("v1")
        let inV2 = try worker("v2")
        defer {
            inV1.killTree()
            inV2.killTree()
            usleep(300_000)
            for path in made.reversed() { rmdir(path) }
        }
        for controller in ["memory", "cpuacct"] {
            try "\(inV1.process.processIdentifier)".write(toFile: "/sys/fs/cgroup/\(controller)/docker/\(v1ID)/cgroup.procs", atomically: false, encoding: .utf8)
        }
        try "\(inV2.process.processIdentifier)".write(toFile: "/sys/fs/cgroup/unified/docker-\(v2ID).scope/cgroup.procs", atomically: false, encoding: .utf8)
        for name in ["v1", "v2"] { manager.createFile(atPath: bed.directory + "/go-\(name)", contents: nil) }

        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        func container(_ id: String) throws -> [String: Any]? {
            (try bed.get("/api/v1/resources?kind=container&limit=1000") as? [[String: Any]] ?? []).first {
                ($0["properties"] as? [String: Any])?["id"] as? String == id
            }
        }
        try waitUntil("both containers with CPU time", timeout: 30) {
            guard let first = try container(v1ID)?["id"] as? String, let second = try container(v2ID)?["id"] as? String else { return false }
            return try (bed.samples(platformID: first, metric: "container_cpu_seconds_total").last?.1 ?? 0) > 0
                && (bed.samples(platformID: second, metric: "container_cpu_seconds_total").last?.1 ?? 0) > 0
        }
        let v1 = try #require(try container(v1ID))
        #expect(v1["kind"] as? String == "container")
        #expect((v1["properties"] as? [String: Any])?["runtime"] as? String == "docker")
        #expect(((v1["properties"] as? [String: Any])?["cgroup_v1"] as? [String: String])?["memory"] == "/sys/fs/cgroup/memory/docker/\(v1ID)")
        #expect(try bed.samples(platformID: try #require(v1["id"] as? String), metric: "container_memory_bytes").last?.1 ?? 0 > 0)
        let v2 = try #require(try container(v2ID))
        #expect((v2["properties"] as? [String: Any])?["cgroup_v2"] as? String == "/sys/fs/cgroup/unified/docker-\(v2ID).scope")
        #expect(try bed.platforms().first?["id"] as? String == v2["parentId"] as? String, "containers hang below their platform")
        let vms = try bed.get("/api/v1/resources?kind=vm") as? [[String: Any]] ?? []
        #expect(!vms.contains { ($0["name"] as? String)?.hasPrefix(String(v1ID.prefix(12))) == true }, "containers are never VMs")
    }
}
