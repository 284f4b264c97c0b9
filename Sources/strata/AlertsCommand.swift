import ArgumentParser
import Foundation
import StrataAPI
import Yams

/// `strata alerts`: alerts and their definitions.
struct AlertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts", abstract: "Alerts: list, show, acknowledge, resolve; definitions: define, definitions, delete.",
        subcommands: [List.self, Show.self, Ack.self, Resolve.self, Define.self, Definitions.self, Delete.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alerts, newest change first (open and resolved by default).")
        @Option(help: "Comma-separated states: pending, firing, acknowledged, resolved, inactive.") var state: String?
        @Option(help: "The least severity: info, warning, error, critical.") var severity: String?
        @Option(help: "Only alerts on this resource id.") var resource: String?
        @OptionGroup var client: ClientOptions

        func run() throws {
            var query: [String] = []
            if let state { query.append("state=" + queryEscape(state)) }
            if let severity { query.append("severity=" + queryEscape(severity)) }
            if let resource { query.append("resource=" + queryEscape(resource)) }
            let alerts = try client.get("/api/v1/alerts" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")), as: [API.Alert].self)
            if client.json { return try client.printJSON(alerts) }
            printTable(["ID", "STATE", "SEVERITY", "DEFINITION", "RESOURCE", "VALUE", "SINCE", "SUMMARY"], alerts.map { alert in
                [alert.id, alert.state + (alert.flapping ? " (flapping)" : "") + (alert.heldBy.map { " (held by \($0))" } ?? ""), alert.severity,
                 alert.definitionName, alert.labels["resource_name"] ?? text(alert.resourceId), alert.value.map { "\($0)" } ?? "-",
                 alert.startsMs == nil ? "-" : time(alert.startsMs), alert.annotations["summary"] ?? ""]
            })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an alert with its history and notifications.")
        @Argument(help: "The alert id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let alert = try client.get("/api/v1/alerts/\(queryEscape(id))", as: API.Alert.self)
            let history = try client.get("/api/v1/alerts/\(queryEscape(id))/history", as: [API.AlertChange].self)
            let deliveries = try client.get("/api/v1/alerts/\(queryEscape(id))/notifications", as: [API.AlertDelivery].self)
            if client.json { return try client.printJSON(alert) }
            print("\(alert.definitionName) on \(alert.labels["resource_name"] ?? alert.subject): \(alert.state), \(alert.severity)")
            for (key, value) in alert.annotations.sorted(by: { $0.key < $1.key }) { print("  \(key): \(value)") }
            printTable(["TIME", "FROM", "TO", "REASON", "BY", "TOLD"], history.map { change in
                [time(change.timeMs), change.from, change.to, change.reason, text(change.actor), change.notified ? "yes" : (change.note ?? "no")]
            })
            printTable(["NOTIFICATION", "TARGET", "STATUS", "ATTEMPTS", "LAST ERROR"], deliveries.map { delivery in
                [delivery.id, delivery.target, delivery.status, String(delivery.attempts), text(delivery.lastError)]
            })
        }
    }

    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge a firing alert.")
        @Argument(help: "The alert id.") var id: String
        @OptionGroup var client: ClientOptions
        func run() throws { try AlertsCommand.act("acknowledge", id: id, client: client) }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an alert by hand (it fires again only after its condition clears).")
        @Argument(help: "The alert id.") var id: String
        @OptionGroup var client: ClientOptions
        func run() throws { try AlertsCommand.act("resolve", id: id, client: client) }
    }

    static func describe(_ scope: API.AlertScope) -> String {
        if let resource = scope.resource { return "resource \(resource)" }
        if let group = scope.group { return "group \(group)" }
        if let kind = scope.kind { return "every \(kind)" }
        if let type = scope.serverType { return "every \(type)" }
        let labels: [String] = (scope.series ?? [:]).map { "\($0.key)=\($0.value)" }
        return labels.sorted().joined(separator: ",")
    }

    static func act(_ action: String, id: String, client: ClientOptions) throws {
        let alert = try client.send("POST", "/api/v1/alerts/\(queryEscape(id))/\(action)", as: API.Alert.self)
        if client.json { return try client.printJSON(alert) }
        print("\(alert.definitionName): \(alert.state)")
    }

    struct Define: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace definitions from a YAML or JSON file (one definition, or a list under definitions:).")
        @Argument(help: "The file.") var file: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError(message: "cannot read \(file)", exitCode: 66) }
            let text = String(decoding: data, as: UTF8.self)
            struct Document: Decodable { var definitions: [API.AlertDefinition]? }
            let definitions: [API.AlertDefinition]
            do {
                if let listed = try? YAMLDecoder().decode(Document.self, from: text).definitions {
                    definitions = listed
                } else {
                    definitions = [try YAMLDecoder().decode(API.AlertDefinition.self, from: text)]
                }
            } catch {
                throw CLIError(message: "\(file): not an alert definition: \(error)", exitCode: 65)
            }
            for definition in definitions {
                let stored = try client.send("POST", "/api/v1/alert-definitions", body: definition, as: API.AlertDefinition.self)
                if client.json { try client.printJSON(stored) } else { print("defined \(stored.name) (\(stored.id ?? "-"))") }
            }
        }
    }

    struct Definitions: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List alert definitions.")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let definitions = try client.get("/api/v1/alert-definitions", as: [API.AlertDefinition].self)
            if client.json { return try client.printJSON(definitions) }
            printTable(["NAME", "CONDITION", "SCOPE", "SEVERITY", "FOR", "ORIGIN"], definitions.map { definition in
                let condition = definition.condition
                let what = condition.type == "threshold"
                    ? "\(text(condition.input ?? "value")) of \(text(condition.metric)) \(text(condition.op)) \(condition.threshold.map { String($0) } ?? "?")"
                    : condition.type + (condition.problem.map { " \($0)" } ?? "") + (condition.kinds.map { " " + $0.joined(separator: ",") } ?? "")
                let scopeText = AlertsCommand.describe(definition.scope)
                return [definition.name, what, scopeText, definition.severity ?? "warning", definition.forDuration ?? "0s", text(definition.origin)]
            })
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a definition (by name or id) and its alerts.")
        @Argument(help: "The definition's name or id.") var name: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            let answer = try client.send("DELETE", "/api/v1/alert-definitions/\(queryEscape(name))", as: [String: String].self)
            if client.json { return try client.printJSON(answer) }
            print("deleted \(answer["deleted"] ?? name)")
        }
    }
}
