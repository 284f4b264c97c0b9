import ArgumentParser

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
            let data = try client.get("/api/v1/discoveries" + (status == "all" ? "" : "?status=" + queryEscape(status)))
            if client.json { return try client.printJSON(data) }
            printTable(["ID", "CHANGE", "KIND", "NAME", "RESOURCE", "STATUS", "SINCE", "SUMMARY"], (data as? [[String: Any]] ?? []).map { entry in
                [text(entry["id"]), text(entry["change"]), text(entry["resourceKind"]), text(entry["resourceName"]), text(entry["resourceId"]),
                 text(entry["status"]), time(entry["createdMs"]), text(entry["summary"])]
            })
        }
    }

    /// Sends one decision on an entry.
    static func decide(_ decision: String, id: Int64, client: ClientOptions) throws {
        let data = try client.send("POST", "/api/v1/discoveries/\(id)", body: ["decision": decision])
        if client.json { return try client.printJSON(data) }
        let entry = data as? [String: Any] ?? [:]
        print("\(text(entry["resourceKind"])) \(text(entry["resourceName"])) (\(text(entry["change"]))): \(text(entry["status"]))")
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
            var data: Any
            if let mode {
                let rules: [[String: Any]] = expected.map { rule in
                    guard let colon = rule.firstIndex(of: ":") else { return ["name": rule] }
                    return ["kind": String(rule[..<colon]), "name": String(rule[rule.index(after: colon)...])]
                }
                data = try client.send("PUT", "/api/v1/discovery-policy", body: ["mode": mode, "expected": rules])
            } else {
                data = try client.get("/api/v1/discovery-policy")
            }
            if client.json { return try client.printJSON(data) }
            let policy = data as? [String: Any] ?? [:]
            print("mode: \(text(policy["mode"]))")
            for rule in policy["expected"] as? [[String: Any]] ?? [] {
                print("expect: \(rule["kind"] as? String ?? "any"):\(text(rule["name"]))")
            }
        }
    }
}
