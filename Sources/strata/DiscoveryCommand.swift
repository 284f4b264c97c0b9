import ArgumentParser
import StrataAPI
import StrataInventory

/// `strata discovery`: the approval queue of new, changed and removed resources, and the tenant's policy.
struct DiscoveryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discovery", abstract: "The discovery approval queue: list, approve, ignore, defer; the policy.",
        subcommands: [List.self, Approve.self, Ignore.self, Defer.self, Policy.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List queue entries, newest first.")
        @Option(help: "pending (default), approved, ignored, deferred, or all.")
        var status = "pending"
        @OptionGroup var client: ClientOptions

        func run() throws {
            let entries = try client.get("/api/v1/discoveries" + (status == "all" ? "" : "?status=" + queryEscape(status)), as: [API.Discovery].self)
            if client.json { return try client.printJSON(entries) }
            printTable(["ID", "CHANGE", "KIND", "NAME", "RESOURCE", "STATUS", "SINCE", "SUMMARY"], entries.map { entry in
                [String(entry.id), entry.change.rawValue, text(entry.resourceKind?.rawValue), text(entry.resourceName), entry.resourceId,
                 entry.status.rawValue, time(entry.createdMs), entry.summary]
            })
        }
    }

    /// Sends one decision on an entry.
    static func decide(_ decision: String, id: Int64, client: ClientOptions) throws {
        let entry = try client.send("POST", "/api/v1/discoveries/\(id)", body: API.DiscoveryDecision(decision: decision), as: API.Discovery.self)
        if client.json { return try client.printJSON(entry) }
        print("\(text(entry.resourceKind?.rawValue)) \(text(entry.resourceName)) (\(entry.change.rawValue)): \(entry.status.rawValue)")
    }

    struct Approve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Approve an entry (an unknown VM becomes known).")
        @Argument(help: "The entry id.") var id: Int64
        @OptionGroup var client: ClientOptions
        func run() throws { try DiscoveryCommand.decide("approve", id: id, client: client) }
    }

    struct Ignore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ignore an entry (kept, not asked about again).")
        @Argument(help: "The entry id.") var id: Int64
        @OptionGroup var client: ClientOptions
        func run() throws { try DiscoveryCommand.decide("ignore", id: id, client: client) }
    }

    struct Defer: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Defer an entry (decide later).")
        @Argument(help: "The entry id.") var id: Int64
        @OptionGroup var client: ClientOptions
        func run() throws { try DiscoveryCommand.decide("defer", id: id, client: client) }
    }

    struct Policy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the policy, or set it with --mode.",
            discussion: "Modes: auto (everything approved), rules (what --expect matches is approved, the rest waits), queue (everything waits).")
        @Option(help: "auto, rules or queue.")
        var mode: String?
        @Option(name: .customLong("expect"), help: "Expected resources (repeatable): [KIND:]GLOB, e.g. vm:crm-*.")
        var expected: [String] = []
        @OptionGroup var client: ClientOptions

        func run() throws {
            let policy: DiscoveryPolicy
            if let mode {
                guard let parsed = DiscoveryPolicy.Mode(rawValue: mode) else { throw ValidationError("--mode must be auto, rules or queue") }
                let rules = expected.map { rule in
                    guard let colon = rule.firstIndex(of: ":") else { return DiscoveryPolicy.ExpectedRule(kind: nil, name: rule) }
                    return DiscoveryPolicy.ExpectedRule(kind: String(rule[..<colon]), name: String(rule[rule.index(after: colon)...]))
                }
                policy = try client.send("PUT", "/api/v1/discovery-policy", body: API.DiscoveryPolicyRequest(mode: parsed, expected: rules))
            } else {
                policy = try client.get("/api/v1/discovery-policy")
            }
            if client.json { return try client.printJSON(policy) }
            print("mode: \(policy.mode.rawValue)")
            for rule in policy.expected { print("expect: \(rule.kind ?? "any"):\(rule.name)") }
        }
    }
}
