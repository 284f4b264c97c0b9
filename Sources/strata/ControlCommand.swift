import ArgumentParser
import Foundation
import StrataAPI
import StrataCore

/// `strata control`: run actions on resources and read what became of them.
struct ControlCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "control", abstract: "Control actions: run one, list a resource's actions, show the history.",
        subcommands: [Run.self, Group.self, Actions.self, History.self, Show.self, Schedules.self, FailoverCommandLine.self], defaultSubcommand: History.self)

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an action on a resource (permission control).",
            discussion: "strata control run RESOURCE reload; strata control run RESOURCE renice --param priority=5 --wait")
        @Argument(help: "The resource id.") var resource: String
        @Argument(help: "The action, e.g. reload (see `strata control actions RESOURCE`).") var action: String
        @Option(name: .customLong("param"), help: "NAME=VALUE (repeatable).") var parameters: [String] = []
        @Flag(help: "Only say what would run.") var dryRun = false
        @Flag(help: "Wait for the result (up to the deadline).") var wait = false
        @Option(help: "How long the command may wait for its agent: 30s, 5m (default), at most 24h.") var deadline: String?
        @OptionGroup var client: ClientOptions

        func run() throws {
            let request = API.ControlRequest(resource: resource, action: action, parameters: try parameterValues(parameters),
                                             dryRun: dryRun ? true : nil, deadline: deadline)
            var command = try client.send("POST", "/api/v1/control/commands", body: request, as: API.ControlCommand.self)
            if wait, !dryRun {
                let final: Set<String> = ["succeeded", "failed", "refused", "interrupted", "expired", "canceled"]
                while !final.contains(command.state) {
                    Thread.sleep(forTimeInterval: 0.2)
                    command = try client.get("/api/v1/control/commands/\(command.id)", as: API.ControlCommand.self)
                }
            }
            if client.json { return try client.printJSON(command) }
            ControlCommandLine.describe(command)
            if wait, command.state != "succeeded" { throw ExitCode(1) }
        }
    }

    /// A command in a few lines: state, message, exit status, output.
    static func describe(_ command: API.ControlCommand) {
        let parameters = command.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("\(command.action)\(parameters.isEmpty ? "" : " " + parameters) on \(command.resourceId): \(command.state)"
              + (command.id.isEmpty ? "" : " (\(command.id))"))
        if let message = command.message { print(message) }
        if let status = command.exitStatus { print("exit status \(status)\(command.durationMs.map { " after \($0) ms" } ?? "")") }
        if let stdout = command.stdout, !stdout.isEmpty { print(stdout, terminator: stdout.hasSuffix("\n") ? "" : "\n") }
        if let stderr = command.stderr, !stderr.isEmpty { FileHandle.standardError.write(Data(stderr.utf8)) }
    }

    struct Actions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The actions a resource offers, with their parameters.")
        @Argument(help: "The resource id.") var resource: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let actions = try client.get("/api/v1/resources/\(resource)/actions", as: [API.ResourceAction].self)
            if client.json { return try client.printJSON(actions) }
            printTable(["ACTION", "PARAMETERS", "WHAT IT DOES"], actions.map { action in
                [action.name, action.parameters.map(ControlCommandLine.describe).joined(separator: " "), action.summary]
            })
        }
    }

    /// `priority=-20..19`, `[signal=TERM|KILL|…]`.
    static func describe(_ parameter: API.ActionParameter) -> String {
        var values = parameter.type
        if let min = parameter.min, let max = parameter.max { values = "\(min)..\(max)" }
        if let choices = parameter.choices { values = choices.joined(separator: "|") }
        if parameter.type == "size", let min = parameter.min { values = "SIZE≥\(min >> 20)M" }
        let text = "\(parameter.name)=\(values)"
        return parameter.required ? text : "[\(text)]"
    }

    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Control commands, newest first.")
        @Option(help: "Only this resource's.") var resource: String?
        @Option(help: "At most this many (default 50).") var limit = 50
        @OptionGroup var client: ClientOptions

        func run() throws {
            var path = "/api/v1/control/commands?limit=\(limit)"
            if let resource { path += "&resource=\(resource)" }
            let commands = try client.get(path, as: [API.ControlCommand].self)
            if client.json { return try client.printJSON(commands) }
            printTable(["ID", "RESOURCE", "ACTION", "STATE", "BY", "REQUESTED", "EXIT"], commands.map { command in
                [command.id, command.resourceId, command.action, command.state, command.requestedBy, time(command.createdMs),
                 command.exitStatus.map(String.init) ?? "-"]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One command: its state, exit status and output.")
        @Argument(help: "The command id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let command = try client.get("/api/v1/control/commands/\(id)", as: API.ControlCommand.self)
            if client.json { return try client.printJSON(command) }
            ControlCommandLine.describe(command)
        }
    }
}
