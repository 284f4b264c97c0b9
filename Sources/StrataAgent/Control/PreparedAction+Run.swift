#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension PreparedAction {
    /// Carries the action out (blocking: a script runs up to its timeout, a libvirt call as long as libvirt takes).
    func run(fs: HostFS) -> ActionOutcome {
        let processes = ProcessControl(fs: fs)
        switch self {
        case let .signal(signal, pids, what):
            return processes.send(signal, to: pids, what: what)
        case let .renice(priority, pids, what):
            return processes.renice(pids, to: priority, what: what)
        case let .freeze(stop, root, tree, what):
            guard tree else { return processes.send(stop ? SIGSTOP : SIGCONT, to: [root], what: what) }
            // Stopping: the main process first (it starts no more children), then its tree; children forked meanwhile
            // are caught by a second look.
            var outcome = processes.send(stop ? SIGSTOP : SIGCONT, to: [root], what: what)
            guard outcome.succeeded else { return outcome }
            var done = [root]
            for _ in 0..<3 {
                let more = processes.tree(of: root).filter { !done.contains($0) }
                if more.isEmpty { break }
                let round = processes.send(stop ? SIGSTOP : SIGCONT, to: more, what: what)
                done += more
                if !round.succeeded { outcome = round }
            }
            return outcome.succeeded ? ProcessControl.outcome(sentTo: done, signal: stop ? SIGSTOP : SIGCONT, what: what) : outcome
        case .cgroup(let action):
            return CgroupControl(fs: fs).run(action)
        case .script(let child):
            let name = child.path.split(separator: "/").last.map(String.init) ?? child.path
            return ActionOutcome.ofRun(child, name: name, exited: "\(name) exited with status")
        case let .server(steps, what):
            return ServerStep.run(steps, what: what, fs: fs)
        case let .failoverStart(uri, uuid, definition):
            do {
                let connection = try LibvirtConnection(uri: uri, readWrite: true)
                return ActionOutcome(succeeded: true, message: try connection.failoverStart(uuid: uuid, definition: definition))
            } catch {
                return ActionOutcome(succeeded: false, message: error.description)
            }
        case let .vm(action, uri, uuid, snapshot):
            do {
                let connection = try LibvirtConnection(uri: uri, readWrite: true)
                return ActionOutcome(succeeded: true, message: try connection.control(action, uuid: uuid, snapshot: snapshot))
            } catch {
                return ActionOutcome(succeeded: false, message: error.description)
            }
        }
    }
}

extension ActionOutcome {
    /// Runs `child`: succeeded on exit status 0, with its output and a message naming it (`name`), its timeout or the
    /// signal that ended it, else `exited` followed by its status.
    static func ofRun(_ child: ChildProcess, name: String, exited: String) -> ActionOutcome {
        do {
            let ended = try child.run()
            var outcome = ActionOutcome(succeeded: ended.exitStatus == 0, message: "", exitStatus: ended.exitStatus, stdout: ended.stdout,
                                        stderr: ended.stderr)
            if ended.timedOut {
                outcome.message = "\(name) still running after \(child.timeoutMs) ms; killed"
            } else if let signal = ended.signal {
                outcome.message = "\(name) ended by \(ProcessControl.name(of: signal))"
            } else {
                outcome.message = "\(exited) \(ended.exitStatus ?? -1)"
            }
            return outcome
        } catch {
            return ActionOutcome(succeeded: false, message: error.description)
        }
    }
}

extension ProcessControl {
    /// The outcome of a signal sent to every one of `pids`.
    static func outcome(sentTo pids: [Int32], signal: Int32, what: String) -> ActionOutcome {
        ActionOutcome.of(sent: pids, failures: [], did: "sent \(name(of: signal)) to", what: what)
    }
}
