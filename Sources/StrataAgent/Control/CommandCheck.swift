import StrataControl
import StrataCore

/// A command that passed every check: what to do, to what, with its checked parameters.
struct CheckedCommand: Sendable {
    var command: ControlCommand
    var target: ControlTarget
    /// Checked parameters by name (defaults not filled in).
    var parameters: [String: String]
}

/// The agent's checks of a fetched command, in order (docs/protocol.md): the signature with the agent's credential,
/// the deadline, the resource is its own, the action and its parameters (`ActionCatalog`, as the server applied
/// them). Pure: the registry lookup is passed in.
enum CommandCheck {
    /// The checked command, or why it is refused.
    static func check(_ signed: SignedCommand, credential: String, nowMs: Int64,
                      target lookup: (ResourceKind, String) -> ControlTarget?) -> Result<CheckedCommand, CommandRefusal> {
        let command = signed.command
        guard command.verify(signed.signature, key: ControlCommand.key(credential: credential)) else {
            return .failure(CommandRefusal("bad signature: not issued for this agent's credential (or altered on the way)"))
        }
        guard nowMs <= command.deadlineMs else {
            return .failure(CommandRefusal("deadline passed \(nowMs - command.deadlineMs) ms before the agent fetched it; not started"))
        }
        guard let target = lookup(command.resourceKind, command.resourceKey) else {
            return .failure(CommandRefusal("\(command.resourceKind.rawValue) \(command.resourceKey) is not a resource this agent currently reports"))
        }
        var serverType: String?
        if case .server(let process) = target { serverType = process.type }
        if case .stoppedServer(let launch, _) = target { serverType = launch.type }
        do {
            let action = try ActionCatalog.action(command.action, kind: command.resourceKind, serverType: serverType)
            var given: [String: String] = [:]
            for parameter in command.parameters { given[parameter.name] = parameter.value }
            var checked: [String: String] = [:]
            for parameter in try action.check(given) { checked[parameter.name] = parameter.value }
            return .success(CheckedCommand(command: command, target: target, parameters: checked))
        } catch {
            return .failure(CommandRefusal(error.description))
        }
    }
}
