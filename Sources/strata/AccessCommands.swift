import ArgumentParser
import StrataAPI
import Foundation

/// `strata tokens`: list, create and revoke API and enrollment tokens.
struct TokensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "List, create and revoke tokens (admin).",
                                                    subcommands: [List.self, Create.self, Revoke.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens and agent credentials (never their secrets).")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let tokens = try client.get("/api/v1/tokens", as: [API.Token].self)
            if client.json { return try client.printJSON(tokens) }
            printTable(["ID", "KIND", "NAME", "SCOPES", "EXPIRES", "REVOKED", "LAST USED"], tokens.map { token in
                [String(token.id), token.kind, token.name, token.scopes.joined(separator: ","), time(token.expiresMs), time(token.revokedMs),
                 time(token.lastUsedMs)]
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
            let request = API.TokenRequest(name: name, kind: kind, expiresInDays: expiresInDays, scopes: scopes.isEmpty ? nil : scopes)
            let token = try client.send("POST", "/api/v1/tokens", body: request, as: API.CreatedToken.self)
            if client.json { return try client.printJSON(token) }
            print("token \(token.id) (\(token.kind)): \(token.token)")
            print("Store it now: it is not shown again.")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @Argument(help: "The token id.")
        var id: Int
        @OptionGroup var client: ClientOptions

        func run() throws {
            let token = try client.send("DELETE", "/api/v1/tokens/\(id)", as: API.Token.self)
            if client.json { return try client.printJSON(token) }
            print("token \(id) revoked")
        }
    }
}

/// `strata users`: list and create users of the tenant.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "List, create and change users (admin).",
                                                    subcommands: [List.self, Create.self, Update.self], defaultSubcommand: List.self)

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a user's role, disable or enable them, or set a new password (read from standard input).")
        @Argument(help: "The user id (from `strata users`).")
        var id: Int64
        @Option(help: "admin, operator or viewer.")
        var role: String?
        @Flag(help: "Disable the user: their logins and sessions stop at once.")
        var disable = false
        @Flag(help: "Enable a disabled user.")
        var enable = false
        @Flag(help: "Read a new password from standard input.")
        var passwordStdin = false
        @OptionGroup var client: ClientOptions

        func validate() throws {
            if disable && enable { throw ValidationError("give --disable or --enable, not both") }
            if role == nil && !disable && !enable && !passwordStdin { throw ValidationError("nothing to change: give --role, --disable, --enable or --password-stdin") }
        }

        func run() throws {
            var password: String?
            if passwordStdin {
                guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("give the new password on standard input") }
                password = line
            }
            let update = API.UserUpdate(role: role, password: password, disabled: disable ? true : enable ? false : nil)
            let user = try client.send("PATCH", "/api/v1/users/\(id)", body: update, as: API.User.self)
            if client.json { return try client.printJSON(user) }
            print("user \(user.username): role \(user.role)\(user.disabledMs == nil ? "" : ", disabled")")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tenant's users.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let users = try client.get("/api/v1/users", as: [API.User].self)
            if client.json { return try client.printJSON(users) }
            printTable(["ID", "USERNAME", "ROLE", "DISABLED"], users.map { [String($0.id), $0.username, $0.role, time($0.disabledMs)] })
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
            let user = try client.send("POST", "/api/v1/users", body: API.UserRequest(username: username, password: password, role: role),
                                       as: API.User.self)
            if client.json { return try client.printJSON(user) }
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
            let agents = try client.get("/api/v1/agents", as: [API.Agent].self)
            if client.json { return try client.printJSON(agents) }
            printTable(["ID", "PLATFORM", "LAST SEEN", "AVAILABLE", "REVOKED"], agents.map { agent in
                [agent.id, text(agent.platformId), time(agent.lastSeenMs), agent.available ? "yes" : "no", time(agent.revokedMs)]
            })
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an agent: its credential and certificate stop at once.")
        @Argument(help: "The agent id.")
        var id: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let revoked = try client.send("DELETE", "/api/v1/agents/" + queryEscape(id), as: API.Revoked.self)
            if client.json { return try client.printJSON(revoked) }
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
        let records = try client.get("/api/v1/audit?" + parameters.joined(separator: "&"), as: [API.AuditRecord].self)
        if client.json { return try client.printJSON(records) }
        printTable(["TIME", "ACTOR", "ACTION", "TARGET", "OUTCOME", "DETAIL", "FROM"], records.map { record in
            [time(record.timeMs), record.actor, record.action, record.target, record.outcome, record.detail, record.remote]
        })
    }
}
