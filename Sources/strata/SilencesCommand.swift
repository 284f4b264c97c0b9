import ArgumentParser
import StrataAPI
import Foundation
import StrataCore

/// `strata silences`: silences and maintenance windows, once or recurring.
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
            printTable(["ID", "MATCHERS", "RESOURCES", "FROM", "UNTIL", "RECURS", "BY", "COMMENT"], silences.map { silence in
                [text(silence.id), (silence.matchers ?? [:]).map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","),
                 (silence.resources ?? []).joined(separator: ","), time(silence.startsMs), time(silence.endsMs),
                 silence.recurrence.map(SilencesCommand.describe) ?? "-", text(silence.createdBy), silence.comment]
            })
        }
    }

    /// `sat,sun 02:00 +01:00 for 2h` (`daily …` for every day).
    static func describe(_ recurrence: API.SilenceRecurrence) -> String {
        let days = recurrence.days.map { $0.count == 7 ? "daily" : $0.joined(separator: ",") } ?? "daily"
        return "\(days) \(recurrence.start) \(recurrence.timezone ?? "UTC") for \(recurrence.duration)"
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Silence alerts by label (--match) or resource subtree (--resource) for a while, or in recurring windows (--at).",
            discussion: "Recurring: strata silences add --match alertname=backup-slow --every sat,sun --at 02:00 --for 2h --comment backups")
        @Option(name: .customLong("match"), help: "LABEL=VALUE an alert must carry (repeatable), e.g. alertname=nginx-down.") var matchers: [String] = []
        @Option(name: .customLong("resource"), help: "A resource id whose alerts, and its descendants', are silenced (repeatable).") var resources: [String] = []
        @Option(help: "How long the silence lasts: 30m, 2h, 1d (default 1h); with --at, how long its windows recur (default: until deleted).")
        var duration: String?
        @Option(help: "Recurring: the days windows start on, comma-separated: mon,tue,wed,thu,fri,sat,sun (default every day).") var every: String?
        @Option(name: .customLong("at"), help: "Recurring: when each window starts, HH:MM local time.") var start: String?
        @Option(name: .customLong("for"), help: "Recurring: how long each window lasts, at most 7d.") var window: String?
        @Option(help: "Recurring: the local time of --at, UTC (default) or a fixed offset such as +01:00 (no daylight saving).") var timezone: String?
        @Option(help: "Why.") var comment: String
        @OptionGroup var client: ClientOptions

        func run() throws {
            var labels: [String: String] = [:]
            for matcher in matchers {
                guard let equals = matcher.firstIndex(of: "=") else { throw ValidationError("--match needs LABEL=VALUE, not \"\(matcher)\"") }
                labels[String(matcher[..<equals])] = String(matcher[matcher.index(after: equals)...])
            }
            let recurrence = try recurrence()
            var lasts: Int64?
            if let duration = duration ?? (recurrence == nil ? "1h" : nil) {
                guard let ms = DurationText.milliseconds(duration) else { throw ValidationError("--duration needs a duration such as 30m or 2h") }
                lasts = ms
            }
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let silence = try client.send("POST", "/api/v1/silences",
                                          body: API.Silence(matchers: labels, resources: resources, startsMs: now,
                                                            endsMs: lasts.map { now.addingReportingOverflow($0).partialValue },
                                                            comment: comment, recurrence: recurrence),
                                          as: API.Silence.self)
            if client.json { return try client.printJSON(silence) }
            let until = silence.endsMs == nil ? "until deleted" : "until \(time(silence.endsMs))"
            print("silenced \(silence.recurrence.map { SilencesCommand.describe($0) + " " } ?? "")\(until) (\(text(silence.id)))")
        }

        /// The recurrence the options describe; the server checks the values and names the field it refuses.
        func recurrence() throws -> API.SilenceRecurrence? {
            guard let start else {
                guard every == nil, window == nil, timezone == nil else {
                    throw ValidationError("--every, --for and --timezone describe recurring windows: give --at HH:MM too")
                }
                return nil
            }
            guard let window else { throw ValidationError("--at needs --for: how long each window lasts, such as 2h") }
            let days = every.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
            return API.SilenceRecurrence(days: days, start: start, duration: window, timezone: timezone)
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
