import ArgumentParser
import StrataAPI

/// `strata control failover`: VM failover's chains and a group's settings (docs/control.md "VM failover").
struct FailoverCommandLine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failover", abstract: "VM failover: the chains so far, a group's settings.",
        subcommands: [Status.self, Settings.self, Set.self], defaultSubcommand: Status.self)

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every VM's failover chain, latest change first.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let decisions = try client.get("/api/v1/failover", as: [API.FailoverDecision].self)
            if client.json { return try client.printJSON(decisions) }
            printTable(["CHAIN", "VM", "STATE", "FROM", "TARGET", "COMMAND", "UPDATED", "NOTE"], decisions.map { decision in
                [decision.id, decision.vmId, decision.state + (decision.reappeared ? " (reappeared)" : ""), decision.fromHypervisorId,
                 decision.targetId ?? "-", decision.commandId ?? "-", time(decision.updatedMs), decision.note ?? ""]
            })
        }
    }

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A group's failover settings.")
        @Argument(help: "The group id.") var group: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            try FailoverCommandLine.show(try client.get("/api/v1/groups/\(group)/failover", as: API.FailoverSettings.self), json: client)
        }
    }

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a group's failover settings (permission manage); options left out keep their values.",
            discussion: "strata control failover set GROUP --enable --grace 60s --shared-storage /var/lib/shared/ --fencing host")
        @Argument(help: "The group id.") var group: String
        @Flag(help: "Fail the group's VMs over.") var enable = false
        @Flag(help: "Stop failing the group's VMs over.") var disable = false
        @Option(help: "How long a hypervisor stays unreachable first: 30s, 60s (default), at most 24h.") var grace: String?
        @Option(name: .customLong("shared-storage"), help: "A shared-storage path prefix (repeatable; replaces the list).") var sharedStorage: [String] = []
        @Option(name: .customLong("anti-affinity"), help: "VM1,VM2,…: VMs never on one hypervisor (repeatable; replaces the list).")
        var antiAffinity: [String] = []
        @Option(help: "hypervisor or host (docs/control.md \"VM failover\").") var fencing: String?
        @OptionGroup var client: ClientOptions

        func run() throws {
            guard !(enable && disable) else { throw ValidationError("--enable or --disable, not both") }
            let request = API.FailoverSettingsRequest(
                enabled: enable ? true : disable ? false : nil, gracePeriod: grace, sharedStorage: sharedStorage.isEmpty ? nil : sharedStorage,
                antiAffinity: antiAffinity.isEmpty ? nil : antiAffinity.map { $0.split(separator: ",").map(String.init) }, fencing: fencing)
            try FailoverCommandLine.show(try client.send("PUT", "/api/v1/groups/\(group)/failover", body: request, as: API.FailoverSettings.self), json: client)
        }
    }

    static func show(_ settings: API.FailoverSettings, json client: ClientOptions) throws {
        if client.json { return try client.printJSON(settings) }
        printTable(["ENABLED", "GRACE", "FENCING", "SHARED STORAGE", "ANTI-AFFINITY"], [[
            settings.enabled ? "yes" : "no", settings.gracePeriod, settings.fencing, settings.sharedStorage.joined(separator: " "),
            settings.antiAffinity.map { $0.joined(separator: ",") }.joined(separator: " "),
        ]])
    }
}
