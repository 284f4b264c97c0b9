import Foundation
import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

/// What the agent refuses to touch on its platform, and the cgroups it leaves behind: kernel threads and Strata's own
/// processes are refused; a cgroup of the agent whose process ended is removed.
@Suite struct ControlRefusalTests {
    let fs = HostFS(root: "/")

    func platform(_ action: String, _ parameters: [String: String], fs: HostFS? = nil) -> Result<PreparedAction, CommandRefusal> {
        ActionPreparation(fs: fs ?? self.fs, actionsDirectory: "/nonexistent", scriptTimeoutMs: 2_000).prepare(action, parameters)
    }

    @Test func kernelThreadsAreRefused() throws {
        let kernelThread = fs.list("/proc").compactMap(Int32.init).first { pid in
            pid > 2 && ProcessControl(fs: fs).statFields(pid).map { $0.count > 1 && $0[1] == "2" } == true
        }
        let pid = try #require(kernelThread, "this host shows kernel threads (children of kthreadd) in /proc")
        for action in ["freeze-process", "kill-process", "renice-process"] {
            let refusal = platform(action, ["pid": "\(pid)", "priority": "5"]).failure?.description
            #expect(refusal == "pid \(pid) is a kernel thread; the agent acts on user processes only", "\(action): \(refusal ?? "allowed")")
        }
        #expect(platform("freeze-process", ["pid": "2"]).failure?.description.contains("kernel thread") == true)
    }

    @Test func theProcessesOfStratasServerAndAgentsAreRefused() throws {
        // A host root whose pid 4242 runs /usr/local/bin/strata and 4243 a deleted strata-agent binary.
        let root = NSTemporaryDirectory() + "strata-refusal-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (pid, exe) in [(4242, "/usr/local/bin/strata"), (4243, "/opt/strata/strata-agent (deleted)"), (4244, "/usr/sbin/nginx")] {
            try FileManager.default.createDirectory(atPath: "\(root)/proc/\(pid)", withIntermediateDirectories: true)
            try "Name:\tx\nTgid:\t\(pid)\nPid:\t\(pid)\n".write(toFile: "\(root)/proc/\(pid)/status", atomically: false, encoding: .utf8)
            try "\(pid) (x) S 1 \(pid) \(pid) 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0\n"
                .write(toFile: "\(root)/proc/\(pid)/stat", atomically: false, encoding: .utf8)
            try FileManager.default.createSymbolicLink(atPath: "\(root)/proc/\(pid)/exe", withDestinationPath: exe)
        }
        let host = HostFS(root: root)
        #expect(platform("freeze-process", ["pid": "4242"], fs: host).failure?.description
                == "pid 4242 is Strata's own strata; the agent does not act on the processes of Strata's server or agents")
        #expect(platform("kill-process", ["pid": "4243"], fs: host).failure?.description.contains("Strata's own strata-agent") == true)
        #expect(platform("kill-process", ["pid": "4244"], fs: host).failure == nil, "other programs are allowed")
    }

    @Test func aCgroupOfTheAgentWhoseProcessEndedIsSweptAway() throws {
        let sleeper = try ControlExecutorTests.sleeper()
        let pid = sleeper.processIdentifier
        defer { kill(pid, SIGKILL) }
        let throttle = try platform("throttle-process-cpu", ["pid": "\(pid)", "percent": "50"]).get().run(fs: fs)
        let cgroup = try #require(throttle.message.split(separator: "in cgroup ").last?.split(separator: ",").first.map(String.init), "\(throttle.message)")
        #expect(throttle.succeeded && cgroup.hasSuffix("/strata-pid-\(pid)"), "\(throttle.message)")
        #expect(fs.exists(cgroup))
        // The end of the process and this sweep take the sweepers' turn, as `CgroupControl.sweep` does: a control
        // channel started by a test running beside this one sweeps on start, and it must not remove the cgroup
        // first (found by CI: this sweep then reported nothing).
        let removed = CgroupFiles.turns.withLock { _ -> [String] in
            // SIGKILL: the test runner's blocked signals are inherited by its children, SIGTERM would stay pending.
            kill(pid, SIGKILL)
            sleeper.waitUntilExit()
            for _ in 0..<200 where !CgroupFiles(fs: fs).processes(cgroup).isEmpty { usleep(10_000) }
            return CgroupFiles(fs: fs).sweepLeftovers()
        }
        #expect(removed.contains(cgroup), "\(removed)")
        #expect(!fs.exists(cgroup), "the ended process's cgroup is gone")
    }
}
