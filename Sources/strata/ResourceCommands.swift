import ArgumentParser
import StrataAPI
import Foundation
import StrataCore

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

    func validate() throws {
        if let kind, ResourceKind(rawValue: kind) == nil {
            throw ValidationError("--kind \(kind) is not a kind; one of \(ResourceKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        var parameters: [String] = []
        if let kind { parameters.append("kind=" + queryEscape(kind)) }
        if let parent { parameters.append("parent=" + queryEscape(parent)) }
        if let query { parameters.append("q=" + queryEscape(query)) }
        let resources = try client.get("/api/v1/resources" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")), as: [API.Resource].self)
        if client.json { return try client.printJSON(resources) }
        let rows = resources.map { [$0.id, $0.kind.rawValue, $0.name, $0.availability.rawValue, text($0.parentId)] }
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
        let detail = try client.get("/api/v1/resources/" + queryEscape(id), as: API.ResourceDetail.self)
        let series = try client.get("/api/v1/resources/" + queryEscape(id) + "/series", as: [API.Series].self)
        if client.json { return try client.printJSON(Shown(resource: detail, series: series)) }
        let resource = detail.resource
        print("\(resource.kind.rawValue) \(resource.name) (\(resource.id))  availability: \(resource.availability.rawValue)")
        let chain = detail.parents.map { "\($0.kind.rawValue) \($0.name)" }
        if !chain.isEmpty { print("parents: " + chain.joined(separator: " > ")) }
        if case .map(let properties) = resource.properties, !properties.isEmpty {
            print("properties:")
            for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
                let rendered = value.stringValue ?? value.json
                print("  \(key): \(rendered.count > 160 ? String(rendered.prefix(157)) + "..." : rendered)")
            }
        }
        if !detail.children.isEmpty {
            print("children:")
            printTable(["ID", "KIND", "NAME"], detail.children.map { [$0.id, $0.kind.rawValue, $0.name] })
        }
        if !detail.relations.isEmpty {
            print("relations:")
            printTable(["KIND", "DIRECTION", "ID", "NAME", "EVIDENCE", "ACTIVE"], detail.relations.map { relation in
                [relation.kind.rawValue, relation.direction == "out" ? "->" : "<-", relation.resourceId, text(relation.name), relation.evidence,
                 relation.active ? "yes" : "no"]
            })
        }
        let rows = series.map { entry -> [String] in
            let labels = entry.labels.labels.pairs.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",")
            return [entry.id.description, entry.metric + (labels.isEmpty ? "" : "{\(labels)}")]
        }
        print("series (\(rows.count)):")
        printTable(["ID", "SERIES"], rows)
    }

    /// What `--json` prints: the resource with its stack, and its series.
    struct Shown: Codable, Sendable {
        var resource: API.ResourceDetail
        var series: [API.Series]
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
        func point(_ point: API.Point) -> [String] { [time(point.timestampMs), String(point.timestampMs), Self.number(point.value)] }
        let isSeriesID = target.count == 16 && target.allSatisfy(\.isHexDigit)
        if !isSeriesID, target.count >= 8, target.allSatisfy(\.isHexDigit) {
            throw ValidationError("\(target) is not a series id (16 hex digits, from `strata resource ID`) nor a selector")
        }
        if isSeriesID {
            let answer = try client.get("/api/v1/series/\(queryEscape(target))/samples" + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")),
                                        as: API.SeriesSamples.self)
            if client.json { return try client.printJSON(answer) }
            printTable(["TIME", "TIMESTAMP_MS", "VALUE"], answer.samples.map(point))
            return
        }
        parameters.append("select=" + queryEscape(target))
        if let fn { parameters.append("fn=" + queryEscape(fn)) }
        if let resolution { parameters.append("resolution=" + queryEscape(resolution)) }
        let answer = try client.get("/api/v1/query?" + parameters.joined(separator: "&"), as: API.QueryResult.self)
        if client.json { return try client.printJSON(answer) }
        guard !answer.series.isEmpty else { throw CLIError.noResult("no series match \(target)") }
        var rows: [[String]] = []
        for item in answer.series {
            let labels = item.labels.labels.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            let shown = labels.count > 60 ? String(labels.prefix(57)) + "..." : labels
            for sample in item.points { rows.append([shown] + point(sample)) }
        }
        printTable(["SERIES", "TIME", "TIMESTAMP_MS", "VALUE"], rows)
        print("(\(answer.series.count) series, step \(DurationText.format(answer.stepMs)), fn \(answer.fn), resolution \(answer.resolution))")
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

    @Option(help: "At least this severe: info, warning, error, critical.")
    var severity: String?

    @Option(name: .customLong("search"), help: "Full-text words that must all appear.")
    var search: String?

    @Option(help: "Most events.")
    var limit: Int = 50

    @OptionGroup var client: ClientOptions

    func validate() throws {
        if subtree, resource == nil { throw ValidationError("--subtree needs --resource") }
        if let severity, !["info", "warning", "error", "critical"].contains(severity) {
            throw ValidationError("--severity must be info, warning, error or critical")
        }
    }

    func run() throws {
        var parameters = ["limit=\(limit)"]
        if let resource { parameters.append("resource=" + queryEscape(resource)) }
        if let kind { parameters.append("kind=" + queryEscape(kind)) }
        if subtree { parameters.append("subtree=true") }
        if let severity { parameters.append("severity=" + queryEscape(severity)) }
        if let search { parameters.append("q=" + queryEscape(search)) }
        let events = try client.get("/api/v1/events?" + parameters.joined(separator: "&"), as: [API.Event].self)
        if client.json { return try client.printJSON(events) }
        printTable(["TIME", "KIND", "SEVERITY", "RESOURCE", "MESSAGE"], events.map { event in
            [time(event.timeMs), event.kind.rawValue, event.severity.name, text(event.resourceId), event.message]
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

extension QueryCommand {
    /// A value as a person reads it (see `NumberText.human`).
    static func number(_ value: Double) -> String { NumberText.human(value) }
}

/// `strata remove ID [--purge]`: removes a resource and everything below it (permission `manage`, audited).
struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Remove a resource and everything below it: hidden with its history kept, or purged.",
        discussion: "A kept resource stays reachable by id (strata resource ID) and comes back if an agent reports it again.")

    @Argument(help: "The resource id.")
    var id: String

    @Flag(help: "Delete its rows, events and configuration history too (its samples age out with the retention).")
    var purge = false

    @OptionGroup var client: ClientOptions

    func run() throws {
        let removal = try client.send("DELETE", "/api/v1/resources/" + queryEscape(id) + "?history=" + (purge ? "purge" : "keep"), as: API.Removal.self)
        if client.json { return try client.printJSON(removal) }
        let below = removal.removed.count > 1 ? " and \(removal.removed.count - 1) resources below it" : ""
        print("removed \(id)\(below); history \(removal.history)")
    }
}
