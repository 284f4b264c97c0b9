#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// An action with every check passed and everything it needs resolved: the pids to signal, the script to run, the
/// domain to call. `what` names whose processes they are for the result's message, with its preposition
/// (" of nginx server KEY"), or is empty.
enum PreparedAction: Sendable {
    /// Send `signal` to `pids`.
    case signal(Int32, pids: [Int32], what: String)
    /// Stop (SIGSTOP) or continue (SIGCONT) the process tree below `root` (with `tree`), else `root` alone: where no
    /// cgroup freezer is usable.
    case freeze(Bool, root: Int32, tree: Bool, what: String)
    /// Freeze, thaw, cap CPU or limit memory through a cgroup (`CgroupControl`).
    case cgroup(CgroupAction)
    /// Set the nice value of `pids`.
    case renice(Int32, pids: [Int32], what: String)
    /// Run a script of the actions directory.
    case script(ChildProcess)
    /// Call libvirt for the domain `uuid` of `uri`; `snapshot` for the snapshot actions.
    case vm(action: String, uri: String, uuid: String, snapshot: String?)
    /// Define the domain `uuid` on `uri` from `definition` unless it is defined there, and start it unless it runs.
    case failoverStart(uri: String, uuid: String, definition: String)
    /// Start, stop, reload, restart or dump a server: steps run in order until one fails.
    case server([ServerStep], what: String)
}

/// Turns a checked command into a `PreparedAction`, or refuses it: a server's main process must still be the one the
/// discovery saw; a platform action's pid must be a process other than init and the agent; a script must pass
/// `ActionScript`'s rules.
struct ActionPreparation: Sendable {
    /// The host's files, as the discovery reads them.
    let fs: HostFS
    /// `DATA/actions`.
    let actionsDirectory: String
    /// Longest a script may run, in milliseconds.
    var scriptTimeoutMs: Int64 = 60_000
    /// Where a started server's output goes (`DATA/server-output`), nil for /dev/null.
    var serverOutputDirectory: String? = nil
    /// Longest a server's control program may run, and a restart waits for the server to stop, in milliseconds.
    var stopTimeoutMs: Int64 = 45_000

    func prepare(_ checked: CheckedCommand) -> Result<PreparedAction, CommandRefusal> {
        let action = checked.command.action
        let parameters = checked.parameters
        switch checked.target {
        case .server(let server): return prepare(action, parameters, server: server, key: checked.command.resourceKey)
        case .stoppedServer(let launch, let lifecycle): return prepareStart(action, launch: launch, lifecycle: lifecycle, key: checked.command.resourceKey)
        case .platform: return prepare(action, parameters)
        case .vm(let uri, let uuid): return .success(.vm(action: action, uri: uri, uuid: uuid, snapshot: parameters["name"]))
        case .container(let v2, let v1): return prepare(action, parameters, container: v2, v1: v1, key: checked.command.resourceKey)
        case .hypervisor(let uri):
            guard action == "failover-start", let uuid = parameters["uuid"]?.lowercased(), let definition = parameters["definition"] else {
                return .failure(CommandRefusal("the agent cannot run \(action) on a hypervisor"))
            }
            // The definition must be of the domain named: the UUID is what the server checked and what the agent reports.
            guard definition.lowercased().contains("<uuid>\(uuid)</uuid>") else {
                return .failure(CommandRefusal("the definition is not that of domain \(uuid)"))
            }
            return .success(.failoverStart(uri: uri, uuid: uuid, definition: definition))
        }
    }

    /// A server action: on its main process (reload, stop, graceful-stop, kill) or all its processes (renice, and the
    /// cgroup actions: freeze, thaw, CPU and memory limits; refused when the agent is one of them). The signals are the plugin's own where it declares the action (nginx's graceful-stop is SIGQUIT,
    /// Apache's SIGWINCH), else SIGHUP for reload and SIGTERM for the stops.
    func prepare(_ action: String, _ parameters: [String: String], server: ServerProcess, key: String) -> Result<PreparedAction, CommandRefusal> {
        let processes = ProcessControl(fs: fs)
        guard processes.startTicks(server.pid) == server.startTicks else {
            return .failure(CommandRefusal("the main process of \(key) (pid \(server.pid)) has exited or was replaced since the agent last looked; try again after its next collection"))
        }
        if Self.lifecycleActions.contains(action), let prepared = prepareLifecycle(action, server: server, key: key) { return prepared }
        let what = " of \(server.type) server \(key)"
        func declared(_ name: String, else fallback: Int32) -> Int32 {
            for case let entry in server.declared where entry.name == name {
                if case .signal(let signal) = entry.method { return signal }
            }
            return fallback
        }
        if let prepared = Self.cgroup(action, parameters, subject: .processes(root: server.pid, tree: true, label: "server-\(server.pid)"), what: what) {
            if processes.tree(of: server.pid).contains(getpid()) {
                return .failure(CommandRefusal("the agent itself (pid \(getpid())) runs below \(key); it does not freeze or limit its own processes"))
            }
            return prepared
        }
        switch action {
        case "reload": return .success(.signal(declared("reload", else: SIGHUP), pids: [server.pid], what: what))
        case "stop": return .success(.signal(declared("stop", else: SIGTERM), pids: [server.pid], what: what))
        case "graceful-stop": return .success(.signal(declared("graceful-stop", else: SIGTERM), pids: [server.pid], what: what))
        case "kill": return signal(parameters["signal"], pids: [server.pid], what: what)
        case "renice":
            guard let priority = parameters["priority"].flatMap({ Int32($0) }) else { return .failure(CommandRefusal("parameter priority is required")) }
            return .success(.renice(priority, pids: processes.tree(of: server.pid), what: what))
        default: return .failure(CommandRefusal("the agent cannot run \(action) on a server"))
        }
    }

    /// A platform action: a script, or one process by its pid.
    func prepare(_ action: String, _ parameters: [String: String]) -> Result<PreparedAction, CommandRefusal> {
        if action == "run-script" {
            guard let script = parameters["script"] else { return .failure(CommandRefusal("parameter script is required")) }
            return ActionScript.prepare(directory: actionsDirectory, name: script, args: parameters["args"], timeoutMs: scriptTimeoutMs).map { .script($0) }
        }
        guard let pid = parameters["pid"].flatMap({ Int32($0) }) else { return .failure(CommandRefusal("parameter pid is required")) }
        if let refusal = ProcessControl(fs: fs).refusal(pid: pid) { return .failure(refusal) }
        let what = ""
        if let prepared = Self.cgroup(action, parameters, subject: .processes(root: pid, tree: false, label: "pid-\(pid)"), what: what) { return prepared }
        switch action {
        case "kill-process": return signal(parameters["signal"], pids: [pid], what: what)
        case "renice-process":
            guard let priority = parameters["priority"].flatMap({ Int32($0) }) else { return .failure(CommandRefusal("parameter priority is required")) }
            return .success(.renice(priority, pids: [pid], what: what))
        default: return .failure(CommandRefusal("the agent cannot run \(action) on its platform"))
        }
    }

    /// The `signal` parameter (default TERM) for `pids`.
    func signal(_ name: String?, pids: [Int32], what: String) -> Result<PreparedAction, CommandRefusal> {
        guard let signal = ProcessControl.signal(named: name ?? "TERM") else { return .failure(CommandRefusal("unknown signal \(name ?? "")")) }
        return .success(.signal(signal, pids: pids, what: what))
    }
}
