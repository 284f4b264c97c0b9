import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// Starts, restarts and refusals against real processes: a `sleep` stands in for a server.
@Suite struct ServerLifecycleExecutorTests {
    let fs = HostFS(root: "/")

    /// The pids of processes whose command line is exactly `arguments`.
    static func pids(running arguments: [String]) -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter { pid in
            let bytes = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) } == arguments && ProcessControl(fs: HostFS()).state(pid) != "Z"
        }
    }

    func waitFor(_ what: String, _ condition: () -> Bool) {
        for _ in 0..<300 where !condition() { usleep(10_000) }
        #expect(condition(), "\(what)")
    }

    @Test func aStartedServerRunsInASessionOfItsOwnAsItsUserNotAsTheAgentsChild() throws {
        let seconds = "611.\(Int.random(in: 100...999))"
        var child = ChildProcess(path: "/bin/sleep", arguments: [seconds])
        let nobody = geteuid() == 0 ? RunAs.user(uid: 65534, gid: 65534) : nil
        child.user = nobody
        child.workingDirectory = "/tmp"
        let started = try child.launch(logPath: nil, graceMs: 200)
        defer { kill(started.pid, SIGKILL) }
        #expect(started.endedStatus == nil, "still running after the grace period")
        let processes = ProcessControl(fs: fs)
        let fields = try #require(processes.statFields(started.pid))
        #expect(Int32(fields[1]) != getpid(), "not the agent's child")
        #expect(Int32(fields[3]) != getsid(0), "it runs in a session of its own, not the agent's")
        if nobody != nil {
            let status = try String(contentsOfFile: "/proc/\(started.pid)/status", encoding: .utf8)
            #expect(status.contains("Uid:\t65534\t65534"), "setuid before exec")
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(started.pid)/cwd") == "/tmp")
    }

    @Test func aStartedServerInheritsNoDescriptorOfTheAgentBeyondItsStandardOnes() throws {
        let leaky = open("/dev/null", O_RDONLY)
        defer { close(leaky) }
        let log = NSTemporaryDirectory() + "strata-fds-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let listed = try ChildProcess(path: "/bin/ls", arguments: ["/proc/self/fd"]).launch(logPath: log, graceMs: 2000)
        #expect(listed.endedStatus == 0)
        let fds = Set(try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map(String.init))
        #expect(fds.isSubset(of: ["0", "1", "2", "3"]) && !fds.contains("\(leaky)") || leaky <= 3, "only stdin, stdout, stderr and ls's own: \(fds)")
    }

    @Test func aLaunchThatEndsAtOnceReportsItsStatusAndAMissingProgramIsRefusedBeforeItRuns() throws {
        let failed = try ChildProcess(path: "/bin/false", arguments: []).launch(logPath: nil, graceMs: 1000)
        #expect(failed.endedStatus.map { ($0 >> 8) & 0xff } == 1)
        let preparation = ActionPreparation(fs: fs, actionsDirectory: "/nonexistent")
        let launch = ServerLaunch(type: "sleeper", executable: "/nonexistent/server", commandLine: ["server"], uid: geteuid(), gid: getegid())
        let start = preparation.prepareStart("start", launch: launch, lifecycle: .signals(launch, declared: []), key: "p/sleeper")
        #expect(start.failure?.description == "/nonexistent/server is not an executable file here")
        let stop = preparation.prepareStart("stop", launch: launch, lifecycle: .signals(launch, declared: []), key: "p/sleeper")
        #expect(stop.failure?.description.contains("is not running: only start applies") == true)
    }

    @Test func aRestartStopsTheServerWaitsForItAndStartsItAgainWithTheSameCommandLine() throws {
        let arguments = ["/bin/sleep", "612.\(Int.random(in: 100...999))"]
        let first = try ChildProcess(path: arguments[0], arguments: [arguments[1]]).launch(logPath: nil, graceMs: 0)
        let processes = ProcessControl(fs: fs)
        let launch = ServerLaunch(type: "sleeper", executable: arguments[0], commandLine: arguments, uid: geteuid(), gid: getegid())
        let server = ServerProcess(type: "sleeper", pid: first.pid, startTicks: try #require(processes.startTicks(first.pid)), declared: [],
                                   launch: launch, lifecycle: .signals(launch, declared: []))
        let directory = NSTemporaryDirectory() + "strata-output-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var preparation = ActionPreparation(fs: fs, actionsDirectory: "/nonexistent", serverOutputDirectory: directory)
        preparation.stopTimeoutMs = 10_000
        #expect(preparation.prepareLifecycle("start", server: server, key: "p/sleeper")?.failure?.description.contains("already running") == true)
        let restart = try #require(try preparation.prepareLifecycle("restart", server: server, key: "p/sleeper")?.get())
        let outcome = restart.run(fs: fs)
        defer { for pid in Self.pids(running: arguments) { kill(pid, SIGKILL) } }
        #expect(outcome.succeeded, "\(outcome.message)")
        #expect(outcome.message.hasPrefix("sent SIGTERM to pid \(first.pid) of sleeper server p/sleeper; pid \(first.pid) ended; started \(arguments.joined(separator: " ")) as pid"),
                "\(outcome.message)")
        let again = Self.pids(running: arguments)
        #expect(again.count == 1 && again.first != first.pid, "one new process with the same command line: \(again)")
        #expect(FileManager.default.fileExists(atPath: directory + "/p_sleeper.log"), "its output goes to the agent's server-output directory")
    }
}
