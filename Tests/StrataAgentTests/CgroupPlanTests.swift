import Foundation
import Testing
@testable import StrataAgent

/// The pure rules of the cgroup actions: which hierarchy, which cgroup, which values, what is refused; and the
/// writes themselves on a recorded cgroup tree (regular files under a temporary host root).
@Suite struct CgroupPlanTests {
    static let hybrid = CgroupPlan(v2: "/sys/fs/cgroup/unified", v2Controllers: ["hugetlb"],
                                   v1: ["freezer": "/sys/fs/cgroup/freezer", "cpu": "/sys/fs/cgroup/cpu", "memory": "/sys/fs/cgroup/memory"])

    @Test func theFreezerIsV2FirstAndLimitsUseV2OnlyWhereItOffersTheController() {
        #expect(Self.hybrid.hierarchies(for: .freeze(true)) == [.v2(mount: "/sys/fs/cgroup/unified"), .v1(controller: "freezer", mount: "/sys/fs/cgroup/freezer")])
        #expect(Self.hybrid.hierarchies(for: .cpu(percent: 20)) == [.v1(controller: "cpu", mount: "/sys/fs/cgroup/cpu")])
        #expect(Self.hybrid.hierarchies(for: .memory(bytes: nil)) == [.v1(controller: "memory", mount: "/sys/fs/cgroup/memory")])
        let unified = CgroupPlan(v2: "/sys/fs/cgroup", v2Controllers: ["cpu", "memory", "io"])
        #expect(unified.hierarchies(for: .cpu(percent: 20)) == [.v2(mount: "/sys/fs/cgroup")])
        #expect(CgroupPlan().hierarchies(for: .freeze(true)).isEmpty, "no hierarchy: the caller falls back to signals")
    }

    @Test func theAgentsCgroupIsAChildOfTheProcessesOwnOrThatChildAgain() {
        #expect(CgroupPlan.directory(mount: "/sys/fs/cgroup/unified", current: "/", label: "pid-12")
                == ("/sys/fs/cgroup/unified/strata-pid-12", "/sys/fs/cgroup/unified"))
        #expect(CgroupPlan.directory(mount: "/m", current: "/system.slice/nginx.service", label: "server-40")
                == ("/m/system.slice/nginx.service/strata-server-40", "/m/system.slice/nginx.service"))
        #expect(CgroupPlan.directory(mount: "/m", current: "/a/strata-pid-12", label: "pid-12") == ("/m/a/strata-pid-12", "/m/a"),
                "already in it: the same cgroup, its parent is where the process came from")
        #expect(CgroupPlan.directory(mount: "/m", current: "/a/strata-pid-13", label: "pid-12").cgroup == "/m/a/strata-pid-13/strata-pid-12")
    }

    @Test func aHierarchyRootAndACgroupHoldingTheAgentAreRefused() {
        #expect(CgroupPlan.refusal(cgroup: "/m", mount: "/m", agentPath: "/x")?.contains("root of its cgroup hierarchy") == true)
        #expect(CgroupPlan.refusal(cgroup: "/m/docker/abc", mount: "/m", agentPath: "/docker/abc")?.contains("holds the agent itself") == true)
        #expect(CgroupPlan.refusal(cgroup: "/m/docker", mount: "/m", agentPath: "/docker/abc/sub")?.contains("holds the agent itself") == true)
        #expect(CgroupPlan.refusal(cgroup: "/m/docker/ab", mount: "/m", agentPath: "/docker/abc") == nil, "a sibling whose name starts alike")
        #expect(CgroupPlan.refusal(cgroup: "/m/strata-pid-12", mount: "/m", agentPath: "/") == nil, "a child of the agent's cgroup does not hold it")
    }

    @Test func aCPUCapIsAQuotaPerTenthOfASecondUpToTheHostsCPUs() {
        #expect(CgroupPlan.cpuQuotaUs(percent: 20, cores: 2).success == 20_000)
        #expect(CgroupPlan.cpuQuotaUs(percent: 200, cores: 2).success == 200_000)
        #expect(CgroupPlan.cpuQuotaUs(percent: 201, cores: 2).failure?.description == "percent 201 is more than this host's 2 CPUs (at most 200)")
        #expect(CgroupPlan.cpuQuotaUs(percent: 0, cores: 4).failure != nil)
    }

    @Test func theFilesWrittenDependOnTheHierarchy() {
        let v2 = CgroupHierarchy.v2(mount: "/m"), cpu = CgroupHierarchy.v1(controller: "cpu", mount: "/c")
        func pairs(_ writes: [(file: String, value: String)]) -> [String] { writes.map { "\($0.file)=\($0.value)" } }
        #expect(pairs(CgroupPlan.writes(.cpu(percent: 20), v2, quotaUs: 20_000)) == ["cpu.max=20000 100000"])
        #expect(pairs(CgroupPlan.writes(.cpu(percent: nil), v2, quotaUs: nil)) == ["cpu.max=max 100000"])
        #expect(pairs(CgroupPlan.writes(.cpu(percent: 20), cpu, quotaUs: 20_000)) == ["cpu.cfs_period_us=100000", "cpu.cfs_quota_us=20000"])
        #expect(pairs(CgroupPlan.writes(.cpu(percent: nil), cpu, quotaUs: nil)) == ["cpu.cfs_period_us=100000", "cpu.cfs_quota_us=-1"])
        #expect(pairs(CgroupPlan.writes(.memory(bytes: 67_108_864), v2, quotaUs: nil)) == ["memory.high=67108864"])
        #expect(pairs(CgroupPlan.writes(.memory(bytes: nil), .v1(controller: "memory", mount: "/x"), quotaUs: nil)) == ["memory.limit_in_bytes=-1"])
        #expect(pairs(CgroupPlan.writes(.freeze(true), v2, quotaUs: nil)) == ["cgroup.freeze=1"])
        #expect(pairs(CgroupPlan.writes(.freeze(false), .v1(controller: "freezer", mount: "/f"), quotaUs: nil)) == ["freezer.state=THAWED"])
    }

    @Test func membershipAndCPUListsAreRead() {
        let text = "9:name=systemd:/\n6:freezer:/t\n2:cpu,cpuacct:/a/b\n4:memory:/process_api/x\n0::/u\n"
        #expect(CgroupPlan.membership(text) == ["freezer": "/t", "cpu": "/a/b", "cpuacct": "/a/b", "memory": "/process_api/x", "": "/u"])
        #expect(CgroupPlan.cpuCount(online: "0-1") == 2)
        #expect(CgroupPlan.cpuCount(online: "0-3,6\n") == 5)
        #expect(CgroupPlan.cpuCount(online: "3-1") == nil)
        #expect(CgroupPlan.cpuCount(online: "x") == nil)
    }

    @Test func actionNamesMapToTheirSettings() {
        #expect(ActionPreparation.cgroupSetting("freeze-process", [:])?.success == .freeze(true))
        #expect(ActionPreparation.cgroupSetting("thaw", [:])?.success == .freeze(false))
        #expect(ActionPreparation.cgroupSetting("throttle-process-cpu", ["percent": "20"])?.success == .cpu(percent: 20))
        #expect(ActionPreparation.cgroupSetting("unlimit-memory", [:])?.success == .memory(bytes: nil))
        #expect(ActionPreparation.cgroupSetting("limit-memory", [:])?.failure?.description == "parameter size is required")
        #expect(ActionPreparation.cgroupSetting("renice", [:]) == nil)
    }

    /// A v1-only host root with a container's cgroups in the memory, freezer and cpu hierarchies.
    static func recordedHost(agentIn agentCgroup: String = "/") throws -> (root: String, id: String) {
        let root = NSTemporaryDirectory() + "strata-cgroups-\(UUID().uuidString)"
        let id = String(repeating: "ab", count: 32)
        for controller in ["memory", "freezer", "cpu"] {
            let directory = "\(root)/sys/fs/cgroup/\(controller)/docker/\(id)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try "".write(toFile: "\(root)/sys/fs/cgroup/\(controller)/cgroup.procs", atomically: false, encoding: .utf8)
            try "301\n302\n".write(toFile: directory + "/cgroup.procs", atomically: false, encoding: .utf8)
        }
        let container = "\(root)/sys/fs/cgroup"
        try "THAWED\n".write(toFile: "\(container)/freezer/docker/\(id)/freezer.state", atomically: false, encoding: .utf8)
        try "-1\n".write(toFile: "\(container)/cpu/docker/\(id)/cpu.cfs_quota_us", atomically: false, encoding: .utf8)
        try "100000\n".write(toFile: "\(container)/cpu/docker/\(id)/cpu.cfs_period_us", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/proc/self", withIntermediateDirectories: true)
        try "6:freezer:\(agentCgroup)\n1:cpu:\(agentCgroup)\n".write(toFile: root + "/proc/self/cgroup", atomically: false, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: root + "/sys/devices/system/cpu", withIntermediateDirectories: true)
        try "0-3\n".write(toFile: root + "/sys/devices/system/cpu/online", atomically: false, encoding: .utf8)
        return (root, id)
    }

    @Test func aContainerIsFrozenAndThrottledInItsOwnCgroupsFoundFromItsMemoryOne() throws {
        let (root, id) = try Self.recordedHost()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = HostFS(root: root)
        let subject = CgroupSubject.container(v2: nil, v1: ["memory": "/sys/fs/cgroup/memory/docker/\(id)"])
        let freeze = CgroupControl(fs: fs).run(CgroupAction(setting: .freeze(true), subject: subject, what: " of container web"))
        #expect(freeze.succeeded, "\(freeze.message)")
        #expect(freeze.message == "wrote freezer.state FROZEN; read back freezer.state \"FROZEN\" in cgroup /sys/fs/cgroup/freezer/docker/\(id) of container web, "
                + "holding 2 processes (301, 302)")
        let throttle = CgroupControl(fs: fs).run(CgroupAction(setting: .cpu(percent: 250), subject: subject, what: ""))
        #expect(throttle.succeeded, "\(throttle.message)")
        #expect(fs.readLine("/sys/fs/cgroup/cpu/docker/\(id)/cpu.cfs_quota_us") == "250000")
        let tooMuch = CgroupControl(fs: fs).run(CgroupAction(setting: .cpu(percent: 500), subject: subject, what: ""))
        #expect(!tooMuch.succeeded && tooMuch.message == "percent 500 is more than this host's 4 CPUs (at most 400)")
        let memory = CgroupControl(fs: fs).run(CgroupAction(setting: .memory(bytes: 1 << 26), subject: subject, what: ""))
        #expect(!memory.succeeded && memory.message.contains("no memory.limit_in_bytes"), "\(memory.message)")
    }

    @Test func aContainerHoldingTheAgentIsNeverFrozen() throws {
        let (root, id) = try Self.recordedHost(agentIn: "/docker/" + String(repeating: "ab", count: 32))
        defer { try? FileManager.default.removeItem(atPath: root) }
        let fs = HostFS(root: root)
        let subject = CgroupSubject.container(v2: nil, v1: ["memory": "/sys/fs/cgroup/memory/docker/\(id)"])
        let freeze = CgroupControl(fs: fs).run(CgroupAction(setting: .freeze(true), subject: subject, what: ""))
        #expect(!freeze.succeeded && freeze.message == "cgroup /sys/fs/cgroup/freezer/docker/\(id) holds the agent itself; the agent does not freeze or limit its own cgroup")
        #expect(fs.readLine("/sys/fs/cgroup/freezer/docker/\(id)/freezer.state") == "THAWED")
    }

    @Test func aServerWhoseProcessesIncludeTheAgentIsRefused() throws {
        let fs = HostFS(root: "/")
        let me = getpid()
        let server = ServerProcess(type: "test", pid: me, startTicks: try #require(ProcessControl(fs: fs).startTicks(me)), declared: [])
        let prepared = ActionPreparation(fs: fs, actionsDirectory: "/nonexistent").prepare("freeze", [:], server: server, key: "k")
        #expect(prepared.failure?.description == "the agent itself (pid \(me)) runs below k; it does not freeze or limit its own processes")
    }
}

extension Result {
    var success: Success? { try? get() }
}
