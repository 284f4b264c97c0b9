import ArgumentParser
import Foundation

/// `strata tokens`: list, create and revoke API and enrollment tokens.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "List, create and revoke tokens (admin).",
                                                    subcommands: [List.self, Create.self, Revoke.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens and agent credentials (never their secrets).")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let data = try client.get("/api/v1/tokens")
            if client.json { return try client.printJSON(data) }
            printTable(["ID", "KIND", "NAME", "SCOPES", "EXPIRES", "REVOKED", "LAST USED"], (data as? [[String: Any]] ?? []).map { token in
                [text(token["id"]), text(token["kind"]), text(token["name"]), (token["scopes"] as? [String] ?? []).joined(separator: ","),
                 time(token["expiresMs"]), time(token["revokedMs"]), time(token["lastUsedMs"])]
            })
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a token; its secret is printed once.")
        @Argument(help: "A name saying what the token is for.")
        var name: String
        @Option(help: "api (default) or enrollment (for agents).")
        var kind = "api"
        @Option(name: .customLong("scope"), help: "Narrow an API token to this permission (repeatable): read, write, control, …")
        var scopes: [String] = []
        @Option(help: "Days until it expires.")
        var expiresInDays: Int?
        @OptionGroup var client: ClientOptions

        func run() throws {
            var body: [String: Any] = ["name": name, "kind": kind]
            if !scopes.isEmpty { body["scopes"] = scopes }
            if let expiresInDays { body["expiresInDays"] = expiresInDays }
            let data = try client.send("POST", "/api/v1/tokens", body: body)
            if client.json { return try client.printJSON(data) }
            let token = data as? [String: Any] ?? [:]
            print("token \(text(token["id"])) (\(text(token["kind"]))): \(text(token["token"]))")
            print("Store it now: it is not shown again.")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @Argument(help: "The token id.")
        var id: Int
        @OptionGroup var client: ClientOptions

        func run() throws {
            let data = try client.send("DELETE", "/api/v1/tokens/\(id)")
            if client.json { return try client.printJSON(data) }
            print("token \(id) revoked")
        }
    }
}

/// `strata users`: list and create users of the tenant.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "List and create users (admin).",
                                                    subcommands: [List.self, Create.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's users.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let data = try client.get("/api/v1/users")
            if client.json { return try client.printJSON(data) }
            printTable(["ID", "USERNAME", "ROLE", "DISABLED"], (data as? [[String: Any]] ?? []).map { user in
                [text(user["id"]), text(user["username"]), text(user["role"]), time(user["disabledMs"])]
            })
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user; the password is read from standard input.")
        @Argument(help: "The login name.")
        var username: String
        @Option(help: "admin, operator or viewer.")
        var role = "viewer"
        @OptionGroup var client: ClientOptions

        func run() throws {
            guard let password = readLine(strippingNewline: true), !password.isEmpty else {
                throw ValidationError("give the new user's password on standard input")
            }
            let data = try client.send("POST", "/api/v1/users", body: ["username": username, "password": password, "role": role])
            if client.json { return try client.printJSON(data) }
            print("user \(username) (\(role)) created")
        }
    }
}

/// `strata agents`: list and revoke agents.
struct AgentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "List and revoke agents.",
                                                    subcommands: [List.self, Revoke.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's agents and the platform each is bound to.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let data = try client.get("/api/v1/agents")
            if client.json { return try client.printJSON(data) }
            printTable(["ID", "PLATFORM", "LAST SEEN", "AVAILABLE", "REVOKED"], (data as? [[String: Any]] ?? []).map { agent in
                [text(agent["id"]), text(agent["platformId"]), time(agent["lastSeenMs"]), text(agent["available"]), time(agent["revokedMs"])]
            })
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an agent: its credential and certificate stop at once.")
        @Argument(help: "The agent id.")
        var id: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let data = try client.send("DELETE", "/api/v1/agents/" + queryEscape(id))
            if client.json { return try client.printJSON(data) }
            print("agent \(id) revoked")
        }
    }
}

/// `strata audit`: the audit log, newest first.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Show the audit log (admin).")
    @Option(help: "Only this action, or a prefix ending in '.' (e.g. token.).")
    var action: String?
    @Option(help: "Only this actor.")
    var actor: String?
    @Option(help: "Most records.")
    var limit = 50
    @OptionGroup var client: ClientOptions

    func run() throws {
        var parameters = ["limit=\(limit)"]
        if let action { parameters.append("action=" + queryEscape(action)) }
        if let actor { parameters.append("actor=" + queryEscape(actor)) }
        let data = try client.get("/api/v1/audit?" + parameters.joined(separator: "&"))
        if client.json { return try client.printJSON(data) }
        printTable(["TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL", "FROM"], (data as? [[String: Any]] ?? []).map { record in
            [time(record["timeMs"]), text(record["actor"]), text(record["action"]), text(record["target"]), text(record["outcome"]),
             text(record["detail"]), text(record["remote"])]
        })
    }
}

/// A Unix-ms value as UTC time, or "-".
func time(_ value: Any?) -> String {
    guard let ms = (value as? NSNumber)?.int64Value else { return "-" }
    let formatter = ISO8601DateFormatter()
    return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
}
