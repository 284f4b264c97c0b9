import StrataCore

/// An action a resource offers: its name, what it does and its parameters.
public struct ActionSpec: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var parameters: [ParameterSpec]
    /// Requested by Strata itself only (VM failover), never by a person through the API.
    public var systemOnly: Bool

    /// An action.
    public init(_ name: String, _ summary: String, parameters: [ParameterSpec] = [], systemOnly: Bool = false) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.systemOnly = systemOnly
    }

    /// The parameters checked: every given one declared and valid, every required one given; sorted by name.
    public func check(_ given: [String: String]) throws(ControlError) -> [(name: String, value: String)] {
        for name in given.keys.sorted() where !parameters.contains(where: { $0.name == name }) {
            throw ControlError.unknownParameter(name, allowed: parameters.map(\.name))
        }
        var checked: [(name: String, value: String)] = []
        for parameter in parameters {
            guard let value = given[parameter.name] else {
                if parameter.required { throw ControlError.missingParameter(parameter.name) }
                continue
            }
            checked.append((parameter.name, try parameter.check(value)))
        }
        return checked.sorted { $0.name < $1.name }
    }
}

/// The actions each kind of resource offers (servers also by type), the same on server and agent: the server
/// refuses what the agent would refuse before anything is queued.
public enum ActionCatalog {
    static let signalChoice = ParameterSpec("signal", .choice(["TERM", "KILL", "INT", "HUP", "QUIT", "USR1", "USR2"]), required: false,
                                            summary: "the signal (default TERM)")
    static let priority = ParameterSpec("priority", .integer(min: -20, max: 19), summary: "the nice value, -20 (most favoured) to 19")
    static let pid = ParameterSpec("pid", .integer(min: 2, max: 4_194_304), summary: "the process id")
    static let snapshot = ParameterSpec("name", .name(maxLength: 64), summary: "the snapshot's name")

    /// What a server's main process allows, whatever its type.
    static let serverActions: [ActionSpec] = [
        ActionSpec("reload", "re-read the configuration (the server's control program, else SIGHUP to the main process)"),
        ActionSpec("stop", "stop the server (the server's control program, else SIGTERM to the main process)"),
        ActionSpec("graceful-stop", "finish current requests, then stop (SIGQUIT for nginx, SIGWINCH for Apache, else SIGTERM)"),
        ActionSpec("freeze", "stop every process of the server where it is (its cgroup's freezer, else SIGSTOP)"),
        ActionSpec("thaw", "let a frozen server run again"),
        ActionSpec("renice", "change the CPU priority of the server's processes", parameters: [priority]),
        ActionSpec("kill", "send a signal to the main process", parameters: [signalChoice]),
    ]

    /// Starting and restarting a server, through its plugin's lifecycle (its own control program, else signals and the
    /// command line the agent remembered).
    static let serverLifecycleActions: [ActionSpec] = [
        ActionSpec("start", "start a stopped server again, as its user, with the command line and environment it last ran with"),
        ActionSpec("restart", "stop the server, wait until its main process is gone, and start it again (same resource, same series)"),
    ]

    /// What a server of a given type allows besides every server's actions.
    static func serverTypeActions(_ serverType: String?) -> [ActionSpec] {
        serverType == "tomcat" ? [ActionSpec("thread-dump", "every JVM thread's stack, returned as output (at most 64 KiB)")] : []
    }

    /// What a platform's agent allows on its own host.
    static let platformActions: [ActionSpec] = [
        ActionSpec("run-script", "run an allow-listed script from the agent's actions directory", parameters: [
            ParameterSpec("script", .name(maxLength: 64), summary: "the script's file name in DATA/actions"),
            ParameterSpec("args", .text(maxLength: 4_096), required: false, summary: "arguments, separated by spaces, each passed as one argument"),
        ]),
        ActionSpec("kill-process", "send a signal to one process", parameters: [pid, signalChoice]),
        ActionSpec("renice-process", "change one process's CPU priority", parameters: [pid, priority]),
        ActionSpec("freeze-process", "stop one process where it is (a cgroup freezer, else SIGSTOP)", parameters: [pid]),
        ActionSpec("thaw-process", "let a frozen process run again", parameters: [pid]),
    ]

    /// What a VM allows through its hypervisor.
    static let vmActions: [ActionSpec] = [
        ActionSpec("start", "start the VM"), ActionSpec("shutdown", "ask the guest to shut down"), ActionSpec("reboot", "ask the guest to reboot"),
        ActionSpec("reset", "reset the VM at once"), ActionSpec("suspend", "pause the VM"), ActionSpec("resume", "let a paused VM run"),
        ActionSpec("snapshot-create", "take a snapshot", parameters: [snapshot]),
        ActionSpec("snapshot-revert", "return to a snapshot", parameters: [snapshot]),
        ActionSpec("snapshot-delete", "delete a snapshot", parameters: [snapshot]),
    ]

    /// The actions of a resource of `kind` (a server's `type` property as `serverType`).
    public static func actions(kind: ResourceKind, serverType: String? = nil) -> [ActionSpec] {
        switch kind {
        case .server: return serverActions + serverLifecycleActions + serverTypeActions(serverType) + serverCgroupActions
        case .platform: return platformActions + processCgroupActions
        case .container: return containerActions
        case .vm: return vmActions
        case .hypervisor: return hypervisorActions
        default: return []
        }
    }

    /// The action called `name` on such a resource, or why there is none.
    public static func action(_ name: String, kind: ResourceKind, serverType: String? = nil) throws(ControlError) -> ActionSpec {
        let available = actions(kind: kind, serverType: serverType)
        guard let action = available.first(where: { $0.name == name }) else { throw ControlError.unknownAction(name, available: available.map(\.name)) }
        return action
    }
}
