#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension ServerStep {
    /// Runs the steps in order until one fails; the outcome joins their messages and outputs (64 KiB each).
    static func run(_ steps: [ServerStep], what: String, fs: HostFS) -> ActionOutcome {
        var messages: [String] = []
        var stdout: [UInt8] = []
        var stderr: [UInt8] = []
        var succeeded = true
        var exitStatus: Int32?
        for step in steps {
            let outcome = step.run(what: what, fs: fs)
            messages.append(outcome.message)
            stdout += outcome.stdout ?? []
            stderr += outcome.stderr ?? []
            if outcome.exitStatus != nil { exitStatus = outcome.exitStatus }
            guard outcome.succeeded else { succeeded = false; break }
        }
        let limit = 64 << 10
        return ActionOutcome(succeeded: succeeded, message: messages.joined(separator: "; "), exitStatus: exitStatus,
                             stdout: stdout.isEmpty ? nil : Array(stdout.suffix(limit)), stderr: stderr.isEmpty ? nil : Array(stderr.suffix(limit)))
    }

    /// Carries out one step.
    func run(what: String, fs: HostFS) -> ActionOutcome {
        let processes = ProcessControl(fs: fs)
        switch self {
        case let .signal(signal, pid):
            return processes.send(signal, to: [pid], what: what)
        case .run(let child):
            let command = ([child.path] + child.arguments).joined(separator: " ")
            return ActionOutcome.ofRun(child, name: command, exited: "ran \(command)\(Self.user(child)): exit status")
        case let .launch(child, log):
            return Self.launch(child, log: log, what: what)
        case let .waitForExit(pid, startTicks, timeoutMs):
            let deadline = Clock.monotonicMs() + timeoutMs
            while processes.startTicks(pid) == startTicks && processes.state(pid) != "Z" {
                guard Clock.monotonicMs() < deadline else {
                    return ActionOutcome(succeeded: false, message: "pid \(pid)\(what) still running \(timeoutMs) ms after the stop; not started again")
                }
                usleep(100_000)
            }
            return ActionOutcome(succeeded: true, message: "pid \(pid) ended")
        case let .threadDump(pid, jcmd):
            return ThreadDump(fs: fs).take(pid: pid, jcmd: jcmd, what: what)
        }
    }

    /// Starts `child` detached; its first output (appended to `log`) is reported.
    static func launch(_ child: ChildProcess, log: String?, what: String) -> ActionOutcome {
        let command = ([child.path] + child.arguments).joined(separator: " ")
        if let log, let slash = log.lastIndex(of: "/") {
            do { try FileIO.makeDirectories(String(log[..<slash])) } catch {
                return ActionOutcome(succeeded: false, message: "cannot start\(what): \(error)")
            }
        }
        let before = log.flatMap(FileIO.size) ?? 0
        do {
            let started = try child.launch(logPath: log)
            let output = log.flatMap { ThreadDump.read($0, from: before, limit: 64 << 10) }
            var outcome = ActionOutcome(succeeded: true, message: "", stdout: output)
            if let status = started.endedStatus {
                let code = status & 0x7f == 0 ? (status >> 8) & 0xff : nil
                outcome.exitStatus = code
                outcome.succeeded = code == 0
                outcome.message = code == 0 ? "ran \(command)\(user(child)) (pid \(started.pid)): exit status 0, the server started in the background"
                    : "\(command)\(user(child)) ended at once: " + (code.map { "exit status \($0)" } ?? "signal \(status & 0x7f)")
                    + (log.map { "; its output is in \($0)" } ?? "")
            } else {
                outcome.message = "started \(command)\(user(child)) as pid \(started.pid)" + (log.map { ", output to \($0)" } ?? "")
            }
            return outcome
        } catch {
            return ActionOutcome(succeeded: false, message: error.description)
        }
    }

    /// " as uid N" when the child changes user.
    static func user(_ child: ChildProcess) -> String { child.user.map { " as uid \($0.uid)" } ?? "" }
}
