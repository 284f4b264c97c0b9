#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One step of a server's start, stop, reload, restart or thread dump as the agent carries it out.
enum ServerStep: Sendable {
    /// Send the signal to the main process.
    case signal(Int32, pid: Int32)
    /// Run a control program and wait for it.
    case run(ChildProcess)
    /// Start the server detached, its output appended to `log`.
    case launch(ChildProcess, log: String?)
    /// Wait until the main process (pid and start time) is gone.
    case waitForExit(pid: Int32, startTicks: UInt64, timeoutMs: Int64)
    /// A JVM's thread dump: `jcmd PID Thread.print` when there is one, else SIGQUIT and the new part of its stdout file.
    case threadDump(pid: Int32, jcmd: ChildProcess?)
}

extension ActionPreparation {
    /// The actions a server's lifecycle (`ServerLifecycle`) carries out.
    static let lifecycleActions: Set<String> = ["start", "stop", "reload", "restart", "thread-dump"]

    /// `start` for a server that is not running; every other action is refused.
    func prepareStart(_ action: String, launch: ServerLaunch, lifecycle: ServerLifecycle, key: String) -> Result<PreparedAction, CommandRefusal> {
        let what = " of \(launch.type) server \(key)"
        guard action == "start" else {
            return .failure(CommandRefusal("\(launch.type) server \(key) is not running: only start applies (the agent found no main process for it in its last collection)"))
        }
        guard let start = lifecycle.start else { return .failure(CommandRefusal("cannot start \(launch.type) server \(key): \(lifecycle.cannotStart)")) }
        do {
            return .success(.server([try step(start, launch: launch, lifecycle: lifecycle, pid: 0, key: key)], what: what))
        } catch {
            return .failure(error)
        }
    }

    /// A lifecycle action on a running server, nil when it is left to the signals (`stop`/`reload` of a server whose
    /// launch record the agent could not read).
    func prepareLifecycle(_ action: String, server: ServerProcess, key: String) -> Result<PreparedAction, CommandRefusal>? {
        let what = " of \(server.type) server \(key)"
        if action == "thread-dump" {
            var jcmd: ChildProcess?
            if let launch = server.launch {
                do { jcmd = threadDumpProgram(launch, pid: server.pid, user: try RunAs.forServer(uid: launch.uid, gid: launch.gid)) } catch { jcmd = nil }
            }
            return .success(.server([.threadDump(pid: server.pid, jcmd: jcmd)], what: what))
        }
        if action == "start" { return .failure(CommandRefusal("\(server.type) server \(key) is already running (pid \(server.pid)); use restart")) }
        guard let launch = server.launch, let lifecycle = server.lifecycle else {
            if action == "restart" {
                return .failure(CommandRefusal("the agent could not read what \(key) was started with (its /proc entries), so it cannot start it again"))
            }
            return nil
        }
        do {
            switch action {
            case "stop":
                return .success(.server([try step(lifecycle.stop, launch: launch, lifecycle: lifecycle, pid: server.pid, key: key)], what: what))
            case "reload":
                guard let reload = lifecycle.reload else {
                    return .failure(CommandRefusal("\(server.type) servers have no reload (a signal would end them); use restart"))
                }
                return .success(.server([try step(reload, launch: launch, lifecycle: lifecycle, pid: server.pid, key: key)], what: what))
            default:
                guard let start = lifecycle.start else { return .failure(CommandRefusal("cannot start \(key) again: \(lifecycle.cannotStart)")) }
                return .success(.server([try step(lifecycle.stop, launch: launch, lifecycle: lifecycle, pid: server.pid, key: key),
                                         .waitForExit(pid: server.pid, startTicks: server.startTicks, timeoutMs: stopTimeoutMs),
                                         try step(start, launch: launch, lifecycle: lifecycle, pid: 0, key: key)], what: what))
            }
        } catch {
            return .failure(error)
        }
    }

    /// A declared step made concrete: the program checked to exist, run as the server's user from its working
    /// directory with its kept environment.
    func step(_ step: ServerLifecycle.Step, launch: ServerLaunch, lifecycle: ServerLifecycle, pid: Int32, key: String) throws(CommandRefusal) -> ServerStep {
        switch step {
        case .signal(let signal): return .signal(signal, pid: pid)
        case .run(let argv): return .run(try program(argv, launch: launch, lifecycle: lifecycle))
        case .launch(let argv):
            let log = serverOutputDirectory.map { $0 + "/" + Self.fileName(key) + ".log" }
            return .launch(try program(argv, launch: launch, lifecycle: lifecycle), log: log)
        }
    }

    /// `argv` as a child of the agent running as the server's user.
    func program(_ argv: [String], launch: ServerLaunch, lifecycle: ServerLifecycle) throws(CommandRefusal) -> ChildProcess {
        guard let path = argv.first, path.hasPrefix("/") else { throw CommandRefusal("no absolute program to run (\(argv.first ?? "none"))") }
        guard access(path, X_OK) == 0 else { throw CommandRefusal("\(path) is not an executable file here") }
        var environment = launch.environment
        for (name, value) in lifecycle.environment { environment[name] = value }
        var child = ChildProcess(path: path, arguments: Array(argv.dropFirst()))
        child.environment = ServerLaunch(type: launch.type, executable: launch.executable, commandLine: [], uid: launch.uid, gid: launch.gid,
                                         environment: environment).environmentEntries
        child.user = try RunAs.forServer(uid: launch.uid, gid: launch.gid)
        var isDirectory = stat()
        child.workingDirectory = stat(launch.workingDirectory, &isDirectory) == 0 && isDirectory.st_mode & S_IFMT == S_IFDIR ? launch.workingDirectory : "/"
        child.timeoutMs = stopTimeoutMs
        return child
    }

    /// `jcmd PID Thread.print` from the JVM's own JDK (else `/usr/bin/jcmd`) as the JVM's user, nil without a jcmd.
    func threadDumpProgram(_ launch: ServerLaunch, pid: Int32, user: RunAs?) -> ChildProcess? {
        let candidates: [String] = [launch.executableDirectory + "/jcmd", "/usr/bin/jcmd"]
        guard let jcmd = candidates.first(where: { path in access(path, X_OK) == 0 }) else { return nil }
        var child = ChildProcess(path: jcmd, arguments: [String(pid), "Thread.print"])
        child.environment = launch.environmentEntries.filter { $0.hasPrefix("PATH=") || $0.hasPrefix("JAVA_HOME=") || $0.hasPrefix("LANG=") }
        child.user = user
        child.workingDirectory = "/"
        child.timeoutMs = 20_000
        return child
    }

    /// `key` as a file name: anything but letters, digits, `.`, `_` and `-` becomes `_`.
    static func fileName(_ key: String) -> String {
        String(key.utf8.map { byte -> Character in
            let allowed = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
                || byte == UInt8(ascii: "-")
            return allowed ? Character(Unicode.Scalar(byte)) : "_"
        })
    }
}
