import ArgumentParser
import Foundation
import StrataAgent
import StrataCore

/// The `strata` command: server, agent and the CLI over the REST API.
@main
struct Strata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Virtualization-aware infrastructure and application management.",
        version: StrataVersion.line(program: "strata"),
        subcommands: [ServerCommand.self, AgentCommand.self, ResourcesCommand.self, ResourceCommand.self,
                      QueryCommand.self, EventsCommand.self, TokensCommand.self, UsersCommand.self, AgentsCommand.self,
                      AuditCommand.self, PlacementCommand.self, ConfigCommand.self, DiscoveryCommand.self, RemoveCommand.self,
                      AlertsCommand.self, SilencesCommand.self, ControlCommandLine.self, ImportCommand.self, VersionCommand.self])

    /// Runs the command; a `CLIError` prints its message (no usage text) and exits with its code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("strata: \(error.message)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            exit(withError: error)
        }
    }
}
