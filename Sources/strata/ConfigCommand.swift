import ArgumentParser
import StrataAPI
import Foundation

/// `strata config`: a resource's tracked configuration files, their versions, content and diffs.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Tracked configuration files: list, versions, show, diff (secrets are redacted by the agent).",
        discussion: """
            Examples: strata config list RESOURCE; strata config versions RESOURCE /etc/nginx/nginx.conf;
            strata config show RESOURCE /etc/nginx/nginx.conf --version 2; strata config diff RESOURCE /etc/nginx/nginx.conf
            (the latest change) or --from 1 --to 3.
            """)

    @Argument(help: "list | versions | show | diff")
    var action: String

    @Argument(help: "The resource id (a server, or a platform for configured paths).")
    var resource: String

    @Argument(help: "The file's path (versions, show, diff).")
    var path: String?

    @Option(help: "show: this version (default: the latest).")
    var version: Int?

    @Option(help: "diff: the older version (default: the one before --to).")
    var from: Int?

    @Option(help: "diff: the newer version (default: the latest).")
    var to: Int?

    @OptionGroup var client: ClientOptions

    func validate() throws {
        guard ["list", "versions", "show", "diff"].contains(action) else { throw ValidationError("action must be list, versions, show or diff") }
        if action != "list", path == nil { throw ValidationError("\(action) needs the file's path") }
    }

    func run() throws {
        let base = "/api/v1/resources/\(queryEscape(resource))/configs"
        let file = path.map { "path=" + queryEscape($0) } ?? ""
        switch action {
        case "list", "versions":
            let versions = try client.get(action == "list" ? base : base + "/versions?" + file, as: [API.ConfigVersion].self)
            if client.json { return try client.printJSON(versions) }
            printTable(["PATH", "VERSION", "STATE", "OBSERVED", "+", "-"], versions.map { row in
                [row.path, String(row.version), row.state, time(row.observedMs), String(row.added), String(row.removed)]
            })
        case "show":
            let content = try client.get(base + "/content?" + file + (version.map { "&version=\($0)" } ?? ""), as: API.ConfigVersion.self)
            if client.json { return try client.printJSON(content) }
            print(content.content ?? "", terminator: "")
        default:
            var query = file
            if let from { query += "&from=\(from)" }
            if let to { query += "&to=\(to)" }
            let answer = try client.get(base + "/diff?" + query, as: API.ConfigDiff.self)
            if client.json { return try client.printJSON(answer) }
            let diff = answer.diff
            print(diff.isEmpty ? "(no difference)" : diff, terminator: diff.isEmpty ? "\n" : "")
        }
    }
}
