import ArgumentParser
import StrataAPI
import Foundation
import StrataCore

/// `strata silences`: silences and maintenance windows.
struct SilencesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "silences", abstract: "Silences and maintenance windows: list, add, delete.",
        subcommands: [List.self, Add.self, Delete.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List silences.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let silences = try client.get("/api/v1/silences", as: [API.Silence].self)
            if client.json { return try client.printJSON(silences) }
            printTable(["ID", "MATCHERS", "RESOURCES", "FROM", "UNTIL", "BY", "COMMENT"], silences.map { silence in
                [text(silence.id), (silence.matchers ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","),
                 (silence.resources ?? []).joined(separator: ","), time(silence.startsMs), time(silence.endsMs), text(silence.createdBy), silence.comment]
            })
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Silence alerts by label (--match) or resource subtree (--resource) for a while.")
        @Option(name: .customLong("match"), help: "LABEL=VALUE an alert must carry (repeatable), e.g. alertname=nginx-down.") var matchers: [String] = []
        @Option(name: .customLong("resource"), help: "A resource id whose alerts, and its descendants', are silenced (repeatable).") var resources: [String] = []
        @Option(help: "How long: 30m, 2h, 1d.") var duration = "1h"
        @Option(help: "Why.") var comment: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            var labels: [String: String] = [:]
            for matcher in matchers {
                guard let equals = matcher.firstIndex(of: "=") else { throw ValidationError("--match needs LABEL=VALUE, not \"\(matcher)\"") }
                labels[String(matcher[..<equals])] = String(matcher[matcher.index(after: equals)...])
            }
            guard let ms = DurationText.milliseconds(duration), ms > 0 else { throw ValidationError("--duration needs a duration such as 30m or 2h") }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let silence = try client.send("POST", "/api/v1/silences",
                                          body: API.Silence(matchers: labels, resources: resources, startsMs: now, endsMs: now &+ ms, comment: comment),
                                          as: API.Silence.self)
            if client.json { return try client.printJSON(silence) }
            print("silenced until \(time(silence.endsMs)) (\(text(silence.id)))")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a silence.")
        @Argument(help: "The silence id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let answer = try client.send("DELETE", "/api/v1/silences/\(queryEscape(id))", as: [String: String].self)
            if client.json { return try client.printJSON(answer) }
            print("deleted \(answer["deleted"] ?? id)")
        }
    }
}
