import ArgumentParser
import Foundation

/// `strata resources`: lists the inventory.
struct ResourcesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resources", abstract: "List resources.")

    @Option(help: "Only this kind (platform, hypervisor, vm, server, service, container, …).")
    var kind: String?

    @Option(help: "Only children of this resource id.")
    var parent: String?

    @Option(name: .customLong("q"), help: "Only resources whose name or key contains this text.")
    var query: String?

    @OptionGroup var client: ClientOptions

    func run() throws {
        var parameters: [String] = []
        if let kind { parameters.append("kind=" + queryEscape(kind)) }
        if let parent { parameters.append("parent=" + queryEscape(parent)) }
        if let query { parameters.append("q=" + queryEscape(query)) }
        let data = try client.get("/api/v1/resources" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")))
        if client.json { return try client.printJSON(data) }
        let rows = (data as? [[String: Any]] ?? []).map { resource in
            [text(resource["id"]), text(resource["kind"]), text(resource["name"]), text(resource["availability"]), text(resource["parentId"])]
        }
        printTable(["ID", "KIND", "NAME", "AVAILABILITY", "PARENT"], rows)
    }
}

/// `strata resource ID`: one resource with its parents, children and series.
struct ResourceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resource", abstract: "Show one resource, its parents, children, relations and series.")

    @Argument(help: "The resource id.")
    var id: String

    @OptionGroup var client: ClientOptions

    func run() throws {
        let resource = try client.get("/api/v1/resources/" + queryEscape(id))
        let series = try client.get("/api/v1/resources/" + queryEscape(id) + "/series")
        if client.json { return try client.printJSON(["resource": resource, "series": series]) }
        guard let object = resource as? [String: Any] else { return }
        print("\(text(object["kind"])) \(text(object["name"])) (\(text(object["id"])))  availability: \(text(object["availability"]))")
        let chain = (object["parents"] as? [[String: Any]] ?? []).map { "\(text($0["kind"])) \(text($0["name"]))" }
        if !chain.isEmpty { print("parents: " + chain.joined(separator: " > ")) }
        if let properties = object["properties"] as? [String: Any], !properties.isEmpty {
            print("properties:")
            for key in properties.keys.sorted() {
                let value = properties[key]!
                let rendered: String
                if value is [Any] || value is [String: Any],
                   let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) {
                    rendered = String(decoding: data, as: UTF8.self)
                } else {
                    rendered = text(value)
                }
                print("  \(key): \(rendered.count > 160 ? String(rendered.prefix(157)) + "..." : rendered)")
            }
        }
        let children = object["children"] as? [[String: Any]] ?? []
        if !children.isEmpty {
            print("children:")
            printTable(["ID", "KIND", "NAME"], children.map { [text($0["id"]), text($0["kind"]), text($0["name"])] })
        }
        let relations = object["relations"] as? [[String: Any]] ?? []
        if !relations.isEmpty {
            print("relations:")
            printTable(["KIND", "DIRECTION", "ID", "NAME", "EVIDENCE", "ACTIVE"], relations.map { relation in
                let outgoing = text(relation["direction"]) == "out"
                return [text(relation["kind"]), outgoing ? "->" : "<-", text(relation["resourceId"]), text(relation["name"]),
                        text(relation["evidence"]), (relation["active"] as? Bool ?? false) ? "yes" : "no"]
            })
        }
        let rows = (series as? [[String: Any]] ?? []).map { entry -> [String] in
            let labels = (entry["labels"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }
                .map { "\($0.key)=\"\($0.value)\"" }.joined(separator: ",")
            return [text(entry["id"]), text(entry["metric"]) + (labels.isEmpty ? "" : "{\(labels)}")]
        }
        print("series (\(rows.count)):")
        printTable(["ID", "SERIES"], rows)
    }
}

/// `strata query SERIES_ID`: samples of a series.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print the samples of a series, or query many series by selector.",
        discussion: """
            strata query 3f2a9c0d1e2b4a5c --from 1h             samples of one series (id from `strata resource ID`)
            strata query 'memory_used_bytes{resource_kind="platform"}' --step 5m --fn avg
            A selector queries /api/v1/query (docs/query.md); one line per point.
            """)

    @Argument(help: "A series id (16 hex digits) or a series selector.")
    var target: String

    @Option(help: "Start: Unix ms, or a duration back from now such as 1h (default 1h).")
    var from: String?

    @Option(help: "End: Unix ms, or a duration back from now (default now).")
    var to: String?

    @Option(help: "Step: seconds or a duration such as 1m.")
    var step: String?

    @Option(help: "Per-step function for selectors: last, avg, min, max, sum, count, rate, increase.")
    var fn: String?

    @Option(help: "Resolution for selectors: auto, raw, 1m, 1h.")
    var resolution: String?

    @OptionGroup var client: ClientOptions

    func run() throws {
        var parameters: [String] = []
        if let from { parameters.append("from=\(try TimeArgument.milliseconds(from))") }
        if let to { parameters.append("to=\(try TimeArgument.milliseconds(to))") }
        if let step { parameters.append("step=" + queryEscape(step)) }
        let formatter = ISO8601DateFormatter()
        func time(_ value: Any?) -> [String] {
            let ms = (value as? NSNumber)?.int64Value ?? 0
            return [formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)), String(ms)]
        }
        let isSeriesID = target.count == 16 && target.allSatisfy(\.isHexDigit)
        if isSeriesID {
            let data = try client.get("/api/v1/series/\(queryEscape(target))/samples" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")))
            if client.json { return try client.printJSON(data) }
            let samples = (data as? [String: Any])?["samples"] as? [[Any]] ?? []
            printTable(["TIME", "TIMESTAMP_MS", "VALUE"], samples.map { time($0.first) + [text($0.last)] })
            return
        }
        parameters.append("select=" + queryEscape(target))
        if let fn { parameters.append("fn=" + queryEscape(fn)) }
        if let resolution { parameters.append("resolution=" + queryEscape(resolution)) }
        let data = try client.get("/api/v1/query?" + parameters.joined(separator: "&"))
        if client.json { return try client.printJSON(data) }
        let series = (data as? [String: Any])?["series"] as? [[String: Any]] ?? []
        var rows: [[String]] = []
        for item in series {
            let labels = (item["labels"] as? [String: Any] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            for point in item["points"] as? [[Any]] ?? [] { rows.append([labels] + time(point.first) + [text(point.last)]) }
        }
        printTable(["SERIES", "TIME", "TIMESTAMP_MS", "VALUE"], rows)
    }
}

/// `strata events`: the event timeline.
struct EventsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "events", abstract: "List events, newest first.")

    @Option(help: "Only events of this resource id.")
    var resource: String?

    @Option(help: "Only this kind (discovered, availability, …).")
    var kind: String?

    @Flag(help: "With --resource: also everything below it (one timeline for a host, VM or server).")
    var subtree = false

    @Option(help: "At least this severe: info, warning, critical.")
    var severity: String?

    @Option(name: .customLong("search"), help: "Full-text words that must all appear.")
    var search: String?

    @Option(help: "Most events.")
    var limit: Int = 50

    @OptionGroup var client: ClientOptions

    func run() throws {
        var parameters = ["limit=\(limit)"]
        if let resource { parameters.append("resource=" + queryEscape(resource)) }
        if let kind { parameters.append("kind=" + queryEscape(kind)) }
        if subtree { parameters.append("subtree=true") }
        if let severity { parameters.append("severity=" + queryEscape(severity)) }
        if let search { parameters.append("q=" + queryEscape(search)) }
        if subtree { parameters.append("subtree=true") }
        if let severity { parameters.append("severity=" + queryEscape(severity)) }
        if let search { parameters.append("q=" + queryEscape(search)) }
        let data = try client.get("/api/v1/events?" + parameters.joined(separator: "&"))
        if client.json { return try client.printJSON(data) }
        printTable(["TIME", "KIND", "SEVERITY", "RESOURCE", "MESSAGE"], (data as? [[String: Any]] ?? []).map { event in
            [time(event["timeMs"]), text(event["kind"]), text(event["severity"]), text(event["resourceId"]), text(event["message"])]
        })
    }
}

/// Parses `--from`/`--to`: Unix ms, or a duration meaning that long ago.
enum TimeArgument {
    static func milliseconds(_ text: String) throws -> Int64 {
        if let value = Int64(text) { return value }
        let trimmed = text.hasPrefix("-") ? String(text.dropFirst()) : text
        if let ago = DurationText.milliseconds(trimmed) { return Int64(Date().timeIntervalSince1970 * 1000) - ago }
        throw ValidationError("\"\(text)\" is neither Unix milliseconds nor a duration like 1h")
    }
}
import StrataCore
