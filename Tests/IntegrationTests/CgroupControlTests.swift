import Foundation
import Testing
@testable import StrataAgent

/// A cgroup the test makes in some hierarchies (`unified`, `freezer`, `cpu`…) to hold a busy process, removed at the
/// end with the process and whatever the agent left below it.
final class TestCgroup {
    let paths: [String]
    let name: String
    var process: Process?

    init(_ purpose: String, hierarchies: [String]) throws {
        let name = "strata-it-\(purpose)-\(UInt32.random(in: 0...UInt32.max))"
        self.name = name
        paths = hierarchies.filter { FileManager.default.fileExists(atPath: "/sys/fs/cgroup/\($0)/cgroup.procs") }.map { "/sys/fs/cgroup/\($0)/\(name)" }
        for path in paths { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false) }
    }

    /// Starts a busy loop (`CgroupControlTests.busyLoop`) in the cgroup of every hierarchy; its pid.
    func startBusyLoop() throws -> Int32 {
        let process = try CgroupControlTests.busyLoop()
        self.process = process
        for path in paths { try "\(process.processIdentifier)".write(toFile: path + "/cgroup.procs", atomically: false, encoding: .utf8) }
        return process.processIdentifier
    }

    /// Kills the process (thawing whatever the agent left frozen below, which a kill alone would not end), waits for it,
    /// and removes the cgroups, children first.
    func remove() {
        for path in paths {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where child.hasPrefix("strata-") {
                try? "0".write(toFile: "\(path)/\(child)/cgroup.freeze", atomically: false, encoding: .utf8)
                try? "THAWED".write(toFile: "\(path)/\(child)/freezer.state", atomically: false, encoding: .utf8)
            }
        }
        if let process {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        for path in paths {
            for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where child.hasPrefix("strata-") { rmdir(path + "/" + child) }
            rmdir(path)
        }
    }
}

/// Freeze, thaw and a CPU cap through the agent on a real busy-looping process that the test put in cgroups of its
/// own; a snapshot of a libvirt test-driver VM taken and reverted. All through a real server and agent.
@Suite(.serialized) struct CgroupControlTests {
    /// A process that spins on one CPU without forking (the loop is the shell's own).
    static func busyLoop() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "while :; do :; done"]
        try process.run()
        return process
    }

    /// User plus system CPU time of `pid` in clock ticks (`/proc/PID/stat` fields 14 and 15).
    static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return -1 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 12 ? (Int(fields[11]) ?? 0) + (Int(fields[12]) ?? 0) : -1
    }

    /// The CPUs `pid` used per CPU available over about `seconds`: CPU time over elapsed time, a ratio.
    static func cpuRate(_ pid: Int32, seconds: Double = 3) -> Double {
        let ticks = cpuTicks(pid), start = ProcessInfo.processInfo.systemUptime
        Thread.sleep(forTimeInterval: seconds)
        let used = Double(cpuTicks(pid) - ticks) / Double(sysconf(Int32(_SC_CLK_TCK)))
        return used / (ProcessInfo.processInfo.systemUptime - start)
    }

    static func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// A bed with its server and agent up and the platform's id.
    static func bedWithAgent(_ name: String) throws -> (bed: Testbed, server: StrataProcess, agent: StrataProcess, platform: String) {
        let bed = try Testbed(name)
        let server = try bed.startServer()
        let agent = try bed.startAgent()
        var platform = ""
        try waitUntil("the platform", timeout: 60) {
            platform = try bed.platforms().first?["id"] as? String ?? ""
            return !platform.isEmpty
        }
        return (bed, server, agent, platform)
    }

    func run(_ bed: Testbed, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try runCLI(["control", "run"] + arguments + ["--wait"], environment: ControlEndToEndTests.environment(bed))
    }

    @Test func aBusyProcessIsFrozenInACgroupOfTheAgentAndThawedBackIntoTheTestsCgroup() throws {
        let (bed, server, agent, platform) = try Self.bedWithAgent("cgroup-freeze")
        defer { agent.terminate(); server.terminate() }
        let cgroup = try TestCgroup("freeze", hierarchies: ["unified", "freezer"])
        defer { cgroup.remove() }
        let pid = try cgroup.startBusyLoop()

        let freeze = try run(bed, [platform, "freeze-process", "--param", "pid=\(pid)"])
        #expect(freeze.status == 0, "\(freeze.output)")
        let frozenIn = try #require(cgroup.paths.first { FileManager.default.fileExists(atPath: $0 + "/strata-pid-\(pid)") }, "\(freeze.output)")
        let agentCgroup = frozenIn + "/strata-pid-\(pid)"
        #expect(freeze.output.contains("in cgroup \(agentCgroup), holding pid \(pid)"), "\(freeze.output)")
        if frozenIn.hasPrefix("/sys/fs/cgroup/unified/") {
            #expect(Self.read(agentCgroup + "/cgroup.events").contains("frozen 1"))
        } else {
            #expect(Self.read(agentCgroup + "/freezer.state") == "FROZEN\n")
        }
        #expect(Self.read(agentCgroup + "/cgroup.procs") == "\(pid)\n")
        let frozenTicks = Self.cpuTicks(pid)
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.cpuTicks(pid) == frozenTicks, "no CPU time while frozen")

        let thaw = try run(bed, [platform, "thaw-process", "--param", "pid=\(pid)"])
        #expect(thaw.status == 0, "\(thaw.output)")
        #expect(thaw.output.contains("moved pid \(pid) back to \(frozenIn) and removed it"), "\(thaw.output)")
        #expect(!FileManager.default.fileExists(atPath: agentCgroup) && Self.read(frozenIn + "/cgroup.procs") == "\(pid)\n")
        if frozenIn.hasPrefix("/sys/fs/cgroup/unified/") { #expect(Self.read(frozenIn + "/cgroup.events").contains("frozen 0")) }
        let thawedTicks = Self.cpuTicks(pid)
        Thread.sleep(forTimeInterval: 2)
        #expect(Self.cpuTicks(pid) > thawedTicks, "CPU time grows again after the thaw")
    }

    @Test func aCPUCapOfTwentyPercentShowsInTheProcessesCPURateAndIsTakenAway() throws {
        let (bed, server, agent, platform) = try Self.bedWithAgent("cgroup-throttle")
        defer { agent.terminate(); server.terminate() }
        let cgroup = try TestCgroup("throttle", hierarchies: ["unified", "cpu"])
        defer { cgroup.remove() }
        let pid = try cgroup.startBusyLoop()

        let free = Self.cpuRate(pid)
        let throttle = try run(bed, [platform, "throttle-process-cpu", "--param", "pid=\(pid)", "--param", "percent=20"])
        #expect(throttle.status == 0, "\(throttle.output)")
        let capped = try #require(cgroup.paths.first { FileManager.default.fileExists(atPath: $0 + "/strata-pid-\(pid)") }, "\(throttle.output)")
            + "/strata-pid-\(pid)"
        if capped.hasPrefix("/sys/fs/cgroup/unified/") {
            #expect(Self.read(capped + "/cpu.max") == "20000 100000\n")
        } else {
            #expect(Self.read(capped + "/cpu.cfs_quota_us") == "20000\n" && Self.read(capped + "/cpu.cfs_period_us") == "100000\n")
        }
        #expect(throttle.output.contains("(20 % of one CPU) in cgroup \(capped), holding pid \(pid)"), "\(throttle.output)")
        let throttled = Self.cpuRate(pid)

        let unthrottle = try run(bed, [platform, "unthrottle-process-cpu", "--param", "pid=\(pid)"])
        #expect(unthrottle.status == 0, "\(unthrottle.output)")
        #expect(!FileManager.default.fileExists(atPath: capped), "the agent's cgroup is given up")
        let freeAgain = Self.cpuRate(pid)
        print("CPU rate of the busy loop: \(free) free, \(throttled) capped at 20 %, \(freeAgain) after the cap is taken away")
        #expect(throttled < 0.3, "capped at 20 % of one CPU: \(throttled)")
        #expect(throttled < free * 0.6 && throttled * 1.5 < freeAgain, "free \(free), capped \(throttled), free again \(freeAgain)")

        let refused = try run(bed, [platform, "limit-process-memory", "--param", "pid=\(pid)", "--param", "size=1M"])
        #expect(refused.status != 0 && refused.output.contains("size"), "\(refused.output)")
    }

    @Test func aSnapshotOfATestDriverVMIsTakenListedAndRevertedTo() throws {
        let bed = try Testbed("control-snapshot")
        let directory = bed.directory + "/libvirtd"
        let daemon = try HypervisorTests.startLibvirtd(directory)
        defer { daemon.killTree() }
        let server = try bed.startServer()
        defer { server.terminate() }
        let uri = "test+unix:///default?socket=\(directory)/libvirt-sock"
        let (agent, vmID) = try ControlEndToEndTests.agentWithTestVM(bed, uri: uri)
        defer { agent.terminate() }
        var connection: LibvirtConnection? = try LibvirtConnection(uri: uri, readWrite: true)
        // Closed before the daemon dies: closing it on a dead socket raises SIGPIPE in the test runner.
        defer { connection = nil }
        let uuid = LibvirtdMigrationTests.defaultDomain
        func state() throws -> Int32? { try connection?.domains().first { $0.uuid == uuid }.map { Int32($0.info.state) } }

        let create = try run(bed, [vmID, "snapshot-create", "--param", "name=before-pause"])
        #expect(create.status == 0 && create.output.contains("took snapshot before-pause"), "\(create.output)")
        #expect(try connection?.hasSnapshot(uuid, named: "before-pause") == true, "libvirt lists the snapshot")
        try connection?.suspend(uuid)
        #expect(try state() == 3, "paused")
        let revert = try run(bed, [vmID, "snapshot-revert", "--param", "name=before-pause"])
        #expect(revert.status == 0 && revert.output.contains("to snapshot before-pause"), "\(revert.output)")
        #expect(try state() == 1, "running again, as when the snapshot was taken")
        let missing = try run(bed, [vmID, "snapshot-revert", "--param", "name=never-taken"])
        #expect(missing.status != 0 && missing.output.contains("failed"), "\(missing.output)")
    }
}
