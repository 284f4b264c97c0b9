import Foundation
import StrataControl
import StrataCore
import Testing
@testable import StrataAgent

/// The actions against real processes and real files: a `sleep`, scripts in a temporary actions directory.
@Suite struct ControlExecutorTests {
    let fs = HostFS(root: "/")
    var processes: ProcessControl { ProcessControl(fs: fs) }

    static func sleeper() throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["600"]
        try process.run()
        return process
    }

    func platform(_ action: String, _ parameters: [String: String], actions: String = "/nonexistent") -> Result<PreparedAction, CommandRefusal> {
        ActionPreparation(fs: fs, actionsDirectory: actions, scriptTimeoutMs: 2_000).prepare(action, parameters)
    }

    func waitFor(_ what: String, _ condition: () -> Bool) {
        for _ in 0..<200 where !condition() { usleep(10_000) }
        #expect(condition(), "\(what)")
    }

    @Test func aProcessIsFrozenThawedRenicedAndKilled() throws {
        let sleeper = try Self.sleeper()
        defer { sleeper.terminate() }
        let pid = sleeper.processIdentifier
        let freeze = try platform("freeze-process", ["pid": "\(pid)"]).get().run(fs: fs)
        // Through the agent's cgroup below the sleeper's own (v2's freezer on a host that has it, else v1's).
        let cgroup = try #require(freeze.message.split(separator: "in cgroup ").last?.split(separator: ",").first.map(String.init), "\(freeze.message)")
        defer { _ = CgroupFiles(fs: fs).write(cgroup + "/cgroup.freeze", "0"); _ = CgroupFiles(fs: fs).write(cgroup + "/freezer.state", "THAWED") }
        #expect(freeze.succeeded && cgroup.hasSuffix("/strata-pid-\(pid)") && freeze.message.hasSuffix("holding pid \(pid)"), "\(freeze.message)")
        #expect(fs.read(cgroup + "/cgroup.events")?.contains("frozen 1") ?? (fs.readLine(cgroup + "/freezer.state") == "FROZEN"))
        #expect(CgroupFiles(fs: fs).processes(cgroup) == [pid])
        let thaw = try platform("thaw-process", ["pid": "\(pid)"]).get().run(fs: fs)
        #expect(thaw.succeeded && thaw.message.hasSuffix(" and removed it") && !fs.exists(cgroup), "\(thaw.message)")
        waitFor("running again") { processes.state(pid) == "S" }
        let renice = try platform("renice-process", ["pid": "\(pid)", "priority": "7"]).get().run(fs: fs)
        #expect(renice.succeeded)
        #expect(processes.nice(pid) == 7)
        _ = try platform("kill-process", ["pid": "\(pid)", "signal": "KILL"]).get().run(fs: fs)
        sleeper.waitUntilExit()
        #expect(sleeper.terminationReason == .uncaughtSignal && sleeper.terminationStatus == SIGKILL)
    }

    @Test func initTheAgentItsThreadsAndMissingPidsAreRefused() {
        #expect(platform("kill-process", ["pid": "1"]).failure?.description.contains("init") == true)
        #expect(platform("kill-process", ["pid": "\(getpid())"]).failure?.description == "pid \(getpid()) is the agent itself")
        let thread = fs.list("/proc/self/task").compactMap { Int32($0) }.first { $0 != getpid() }
        if let thread { #expect(platform("freeze-process", ["pid": "\(thread)"]).failure?.description == "pid \(thread) is the agent itself") }
        #expect(platform("kill-process", ["pid": "4194000"]).failure?.description == "no process with pid 4194000")
    }

    /// A fresh actions directory (0700) with `script` in it.
    static func actionsDirectory(script: String, mode: mode_t = 0o700) throws -> String {
        let directory = NSTemporaryDirectory() + "strata-actions-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        // Written close-on-exec: a descriptor open for writing that leaks into another test's child makes exec fail
        // with ETXTBSY for as long as that child runs.
        try FileIO.writeAtomically(Array(script.utf8), to: directory + "/echo-args", mode: mode)
        chmod(directory + "/echo-args", mode)
        return directory
    }

    static let echoArgs = "#!/bin/sh\nfor a in \"$@\"; do echo \"[$a]\"; done\necho \"env: ${STRATA_AGENT_TOKEN:-none}\" >&2\nexit 3\n"

    @Test func aScriptGetsEachWordAsOneLiteralArgumentAndReportsItsExit() throws {
        let directory = try Self.actionsDirectory(script: Self.echoArgs)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        setenv("STRATA_AGENT_TOKEN", "secret", 1)
        let outcome = try platform("run-script", ["script": "echo-args", "args": "a;b $(id) `id` 'x y' >f"], actions: directory).get().run(fs: fs)
        #expect(String(decoding: outcome.stdout ?? [], as: UTF8.self) == "[a;b]\n[$(id)]\n[`id`]\n['x]\n[y']\n[>f]\n")
        #expect(String(decoding: outcome.stderr ?? [], as: UTF8.self) == "env: none\n", "the agent's environment is not passed on")
        #expect(!outcome.succeeded && outcome.exitStatus == 3 && outcome.message == "echo-args exited with status 3", "\(outcome.message)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/f"), "no shell redirected anything")
    }

    @Test func unsafeScriptsAreRefused() throws {
        let writable = try Self.actionsDirectory(script: Self.echoArgs, mode: 0o775)
        defer { try? FileManager.default.removeItem(atPath: writable) }
        #expect(platform("run-script", ["script": "echo-args"], actions: writable).failure?.description
            == "\(writable)/echo-args is writable by group or others; chmod go-w it")
        let linked = try Self.actionsDirectory(script: Self.echoArgs)
        defer { try? FileManager.default.removeItem(atPath: linked) }
        try FileManager.default.createSymbolicLink(atPath: linked + "/linked", withDestinationPath: linked + "/echo-args")
        #expect(platform("run-script", ["script": "linked"], actions: linked).failure?.description.hasSuffix("is a symbolic link; the agent runs only regular files of its actions directory") == true)
        chmod(linked + "/echo-args", 0o600)
        #expect(platform("run-script", ["script": "echo-args"], actions: linked).failure?.description.hasSuffix("is not executable; chmod u+x it") == true)
        #expect(platform("run-script", ["script": "missing"], actions: linked).failure != nil)
        chmod(linked, 0o777)
        #expect(platform("run-script", ["script": "echo-args"], actions: linked).failure?.description == "\(linked) is writable by group or others; chmod go-w it")
    }

    @Test func aScriptThatOverrunsItsTimeoutIsKilled() throws {
        let directory = try Self.actionsDirectory(script: "#!/bin/sh\necho started\nexec sleep 30\n")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try platform("run-script", ["script": "echo-args"], actions: directory).get().run(fs: fs)
        #expect(!outcome.succeeded && outcome.message == "echo-args still running after 2000 ms; killed")
        #expect(String(decoding: outcome.stdout ?? [], as: UTF8.self) == "started\n")
    }
}
