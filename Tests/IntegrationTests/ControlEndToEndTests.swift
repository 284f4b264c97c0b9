import Foundation
import Testing

/// Control with a real server, a real agent and real processes, through `strata control`: nginx reloaded (new
/// workers, the same master) and its processes frozen and thawed; a VM of libvirt's test driver suspended and
/// resumed; a script killed mid-run with its agent is never run again and is reported interrupted.
@Suite(.serialized) struct ControlEndToEndTests {
    static func environment(_ bed: Testbed) -> [String: String] {
        ["STRATA_URL": bed.url, "STRATA_USER": "admin", "STRATA_PASSWORD": Testbed.password]
    }

    /// The pids whose parent is `pid`.
    static func children(of pid: Int32) -> Set<Int32> {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return Set(entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && Int32(fields[1]) == pid
        })
    }

    /// A process's state letter (`S`, `R`, `T` stopped…).
    static func state(_ pid: Int32) -> String {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return "?" }
        return String(stat[stat.index(after: close)...].split(separator: " ").first ?? "?")
    }

    /// The v2 (`hierarchy` empty) and v1 freezer cgroups of `pid`, from `/proc/PID/cgroup`.
    static func cgroups(of pid: Int32) -> [(hierarchy: String, path: String)] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[1].isEmpty || fields[1] == "freezer" else { return nil }
            return (String(fields[1]), String(fields[2]))
        }
    }

    @Test func nginxIsReloadedWithNewWorkersAndTheSameMasterThenFrozenAndThawed() throws {
        let bed = try Testbed("control-nginx")
        let server = try bed.startServer()
        defer { server.terminate() }
        let port = try Testbed.freePort()
        let nginx = try ServerDiscoveryTests.startNginx(bed, port: port)
        defer { nginx.killTree() }
        // A 10 s metrics interval: commands do not wait for it.
        let agent = try bed.startAgent(interval: "10s")
        defer { agent.terminate() }
        var nginxID = ""
        try waitUntil("nginx in the inventory", timeout: 90) {
            let servers = try bed.get("/api/v1/resources?kind=server&limit=1000") as? [[String: Any]] ?? []
            // This bed's nginx: the agent also sees the nginx of other tests running on this host.
            nginxID = servers.first { $0["name"] as? String == "nginx \(bed.directory)/nginx.conf" }?["id"] as? String ?? ""
            return !nginxID.isEmpty
        }
        let master = nginx.pid
        let workers = Self.children(of: master)
        #expect(!workers.isEmpty)
        let started = Date()
        let reload = try runCLI(["control", "run", nginxID, "reload", "--wait"], environment: Self.environment(bed))
        #expect(reload.status == 0, "\(reload.output)")
        #expect(reload.output.contains("succeeded"), "\(reload.output)")
        #expect(Date().timeIntervalSince(started) < 10, "the command did not wait for the 10 s interval")
        try waitUntil("new workers", timeout: 20) { let now = Self.children(of: master); return !now.isEmpty && now.isDisjoint(with: workers) }
        #expect(nginx.isRunning && Self.state(master) != "?", "the master stays")

        let freeze = try runCLI(["control", "run", nginxID, "freeze", "--wait"], environment: Self.environment(bed))
        #expect(freeze.status == 0, "\(freeze.output)")
        // The agent's cgroup for nginx, below the one nginx was in (the freezer of cgroup v2 here, else v1's).
        let frozen = try #require(Self.cgroups(of: master).first { $0.path.hasSuffix("/strata-server-\(master)") }, "\(freeze.output)")
        #expect(Self.children(of: master).allSatisfy { child in Self.cgroups(of: child).contains { $0 == frozen } }, "every process of nginx in it")
        let cgroupDirectory = (frozen.hierarchy.isEmpty ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup/freezer") + frozen.path
        let frozenState = (try? String(contentsOfFile: cgroupDirectory + (frozen.hierarchy.isEmpty ? "/cgroup.events" : "/freezer.state"), encoding: .utf8)) ?? ""
        #expect(frozenState.contains("frozen 1") || frozenState == "FROZEN\n", "\(frozenState)")
        let thaw = try runCLI(["control", "run", nginxID, "thaw", "--wait"], environment: Self.environment(bed))
        #expect(thaw.status == 0, "\(thaw.output)")
        #expect(!Self.cgroups(of: master).contains { $0.path.contains("strata-server-") } && !FileManager.default.fileExists(atPath: cgroupDirectory),
                "back where it was; the agent's cgroup removed")

        let refused = try runCLI(["control", "run", nginxID, "renice", "--param", "priority=99"], environment: Self.environment(bed))
        #expect(refused.status != 0 && refused.output.contains("priority"), "\(refused.output)")
        let history = try runCLI(["control", "history", "--resource", nginxID], environment: Self.environment(bed))
        #expect(history.output.split(separator: "\n").count == 4, "three commands and a header: \(history.output)")
    }

    /// An agent collecting the libvirt `uri`, and the id of the test driver's VM `test` once the server has it.
    static func agentWithTestVM(_ bed: Testbed, uri: String) throws -> (agent: StrataProcess, vmID: String) {
        try WebStack.write("libvirt.uris = \(uri)\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        var vmID = ""
        do {
            try waitUntil("the test driver's VM", timeout: 60) {
                vmID = try HypervisorTests.named(bed, "vm", "test")?["id"] as? String ?? ""
                return !vmID.isEmpty
            }
        } catch {
            agent.terminate()
            throw error
        }
        return (agent, vmID)
    }

    @Test func aVMOfTheTestDriverIsSuspendedAndResumed() throws {
        let bed = try Testbed("control-vm")
        let server = try bed.startServer()
        defer { server.terminate() }
        let (agent, vmID) = try Self.agentWithTestVM(bed, uri: "test:///default")
        defer { agent.terminate() }
        func vmState() throws -> String? {
            let vm = try bed.get("/api/v1/resources/\(vmID)") as? [String: Any]
            return (vm?["properties"] as? [String: Any])?["state"] as? String
        }
        let suspend = try runCLI(["control", "run", vmID, "suspend", "--wait"], environment: Self.environment(bed))
        #expect(suspend.status == 0, "\(suspend.output)")
        try waitUntil("the VM paused", timeout: 30) { try vmState() == "paused" }
        let resume = try runCLI(["control", "run", vmID, "resume", "--wait"], environment: Self.environment(bed))
        #expect(resume.status == 0, "\(resume.output)")
        try waitUntil("the VM running", timeout: 30) { try vmState() == "running" }
    }

    @Test func aScriptRunningWhenItsAgentIsKilledIsNeverRunAgainAndReportedInterrupted() throws {
        let bed = try Testbed("control-once")
        let server = try bed.startServer()
        defer { server.terminate() }
        let actions = bed.directory + "/agent/actions"
        try FileManager.default.createDirectory(atPath: actions, withIntermediateDirectories: true)
        chmod(actions, 0o700)
        let marker = bed.directory + "/runs"
        try "#!/bin/sh\necho started >> \(marker)\nsleep 30\necho \"$@\"\n".write(toFile: actions + "/slow.sh", atomically: true, encoding: .utf8)
        chmod(actions + "/slow.sh", 0o700)
        var agent = try bed.startAgent()
        defer { agent.terminate() }
        var platformID = ""
        try waitUntil("the platform", timeout: 60) {
            platformID = try bed.platforms().first?["id"] as? String ?? ""
            return !platformID.isEmpty
        }
        let run = try runCLI(["control", "run", platformID, "run-script", "--param", "script=slow.sh", "--param", "args=a b", "--json"],
                             environment: Self.environment(bed))
        let id = try #require((try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])?["id"] as? String, "\(run.output)")
        try waitUntil("the script started", timeout: 30) { FileManager.default.fileExists(atPath: marker) }
        agent.kill9()
        agent = try bed.startAgent()
        try waitUntil("the command reported interrupted", timeout: 60) {
            (try bed.get("/api/v1/control/commands/\(id)") as? [String: Any])?["state"] as? String == "interrupted"
        }
        Thread.sleep(forTimeInterval: 3)
        let runs = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 1, "run once, never again: \(runs)")
    }
}
