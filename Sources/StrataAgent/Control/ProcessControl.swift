#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Processes as the control actions see them, through `/proc` (under the agent's host root): which exist, which
/// belong to a server, and the signals and priorities sent to them.
struct ProcessControl: Sendable {
    let fs: HostFS

    /// The signals a command may name (`ActionCatalog`'s `signal` choices), by name without `SIG`.
    static let signals: [(name: String, number: Int32)] = [
        ("TERM", SIGTERM), ("KILL", SIGKILL), ("INT", SIGINT), ("HUP", SIGHUP), ("QUIT", SIGQUIT), ("USR1", SIGUSR1),
        ("USR2", SIGUSR2), ("STOP", SIGSTOP), ("CONT", SIGCONT), ("WINCH", SIGWINCH),
    ]

    /// The signal called `name` (`TERM`), nil for another.
    static func signal(named name: String) -> Int32? { signals.first { $0.name == name }?.number }

    /// `SIGTERM` for 15, `signal 40` for one without a name here.
    static func name(of signal: Int32) -> String { signals.first { $0.number == signal }.map { "SIG" + $0.name } ?? "signal \(signal)" }

    /// The `/proc/PID/stat` fields after the command name (see `HostFS.processStatFields`).
    func statFields(_ pid: Int32) -> [Substring]? { fs.processStatFields(String(pid)) }

    /// The start time of `pid` in clock ticks after boot, nil when there is no such process.
    func startTicks(_ pid: Int32) -> UInt64? {
        guard let fields = statFields(pid), fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    /// The one-letter state of `pid` (`S`, `R`, `T` when stopped…), nil when there is no such process.
    func state(_ pid: Int32) -> String? { statFields(pid)?.first.map(String.init) }

    /// The nice value of `pid`.
    func nice(_ pid: Int32) -> Int? {
        guard let fields = statFields(pid), fields.count > 16 else { return nil }
        return Int(fields[16])
    }

    /// Why the agent will not act on process `pid` by its number, nil when it may: pid 1, the agent itself (or one of
    /// its threads), a thread of another process, and pids that do not exist are refused.
    func refusal(pid: Int32) -> CommandRefusal? {
        if pid <= 1 { return CommandRefusal("pid \(pid) is init; the agent does not signal or renice it") }
        guard let status = fs.read("/proc/\(pid)/status", limit: 16 << 10) else { return CommandRefusal("no process with pid \(pid)") }
        let group = parseColonFile(status).first { $0.key == "Tgid" }.flatMap { Int32($0.value) }
        if pid == getpid() || group == getpid() { return CommandRefusal("pid \(pid) is the agent itself") }
        if let group, group != pid { return CommandRefusal("pid \(pid) is a thread of process \(group), not a process") }
        if isKernelThread(pid) { return CommandRefusal("pid \(pid) is a kernel thread; the agent acts on user processes only") }
        if let program = strataProgram(pid) {
            return CommandRefusal("pid \(pid) is Strata's own \(program); the agent does not act on the processes of Strata's server or agents")
        }
        return nil
    }

    /// The kernel's flag for its own threads (`PF_KTHREAD`, include/linux/sched.h).
    static let kernelThreadFlag: UInt64 = 0x0020_0000

    /// Whether `pid` is a kernel thread: kthreadd (pid 2), a child of it, or flagged as one in its stat.
    func isKernelThread(_ pid: Int32) -> Bool {
        guard let fields = statFields(pid), fields.count > 6 else { return false }
        if pid == 2 || fields[1] == "2" { return true }
        return UInt64(fields[6]).map { $0 & Self.kernelThreadFlag != 0 } ?? false
    }

    /// `strata` or `strata-agent` when `pid` runs one of Strata's programs (its executable, else its first argument).
    func strataProgram(_ pid: Int32) -> String? {
        let executable = fs.readLink("/proc/\(pid)/exe")
            ?? fs.read("/proc/\(pid)/cmdline", limit: 4096)?.split(separator: "\0").first.map(String.init)
        guard let name = executable?.split(separator: "/").last.map(String.init) else { return nil }
        let program = name.hasSuffix(" (deleted)") ? String(name.dropLast(10)) : name
        return program == "strata" || program == "strata-agent" ? program : nil
    }

    /// `root` and every process below it (children, their children…), `root` first, each once.
    func tree(of root: Int32) -> [Int32] {
        var parents: [(pid: Int32, ppid: Int32)] = []
        for name in fs.list("/proc") {
            guard let pid = Int32(name), let fields = statFields(pid), fields.count > 1, let ppid = Int32(fields[1]) else { continue }
            parents.append((pid, ppid))
        }
        var family: [Int32] = [root]
        var index = 0
        while index < family.count {
            let parent = family[index]
            for entry in parents where entry.ppid == parent && !family.contains(entry.pid) { family.append(entry.pid) }
            index += 1
        }
        return family
    }

    /// Sends `signal` to each of `pids`; the outcome names the pids signalled and those that failed.
    func send(_ signal: Int32, to pids: [Int32], what: String) -> ActionOutcome {
        var sent: [Int32] = []
        var failures: [String] = []
        for pid in pids {
            if kill(pid, signal) == 0 { sent.append(pid) } else { failures.append("pid \(pid): \(String(cString: strerror(errno)))") }
        }
        return ActionOutcome.of(sent: sent, failures: failures, did: "sent \(Self.name(of: signal)) to", what: what)
    }

    /// Sets the nice value of every thread of each of `pids` (Linux's priority is per thread).
    func renice(_ pids: [Int32], to priority: Int32, what: String) -> ActionOutcome {
        var done: [Int32] = []
        var failures: [String] = []
        for pid in pids {
            let threads = fs.list("/proc/\(pid)/task").compactMap { Int32($0) }
            var failed: String?
            for thread in threads.isEmpty ? [pid] : threads where setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(thread), priority) != 0 {
                failed = String(cString: strerror(errno))
            }
            if let failed { failures.append("pid \(pid): \(failed)") } else { done.append(pid) }
        }
        return ActionOutcome.of(sent: done, failures: failures, did: "set nice \(priority) on", what: what)
    }
}

/// What an action did: succeeded or failed, with a message saying what was done to what; a script's exit status and
/// output.
struct ActionOutcome: Sendable, Equatable {
    /// `succeeded` or `failed`.
    var succeeded: Bool
    var message: String
    var exitStatus: Int32?
    var stdout: [UInt8]?
    var stderr: [UInt8]?

    /// Success when every pid was done, with a message like "sent SIGHUP to pid 12 of nginx server KEY" (`what`: the
    /// words after the pids, with their preposition, or nothing).
    static func of(sent: [Int32], failures: [String], did: String, what: String) -> ActionOutcome {
        let pids = sent.count == 1 ? "pid \(sent[0])" : "\(sent.count) processes (\(sent.map(String.init).joined(separator: ", ")))"
        var message = sent.isEmpty ? "" : "\(did) \(pids)\(what)"
        if !failures.isEmpty { message += (message.isEmpty ? "" : "; ") + "failed for " + failures.joined(separator: ", ") }
        return ActionOutcome(succeeded: failures.isEmpty && !sent.isEmpty, message: message.isEmpty ? "no process\(what) left" : message)
    }
}
