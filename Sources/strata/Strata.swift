import ArgumentParser

/// The `strata` command: server, agent and the CLI over the REST API.
@main
struct Strata: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "strata",
        abstract: "Virtualization-aware infrastructure and application management.",
        subcommands: [ServerCommand.self, AgentCommand.self, ResourcesCommand.self, ResourceCommand.self,
                      QueryCommand.self, EventsCommand.self, TokensCommand.self, UsersCommand.self, AgentsCommand.self,
                      AuditCommand.self, PlacementCommand.self, ConfigCommand.self, DiscoveryCommand.self])
}
