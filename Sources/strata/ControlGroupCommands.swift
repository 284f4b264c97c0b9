import ArgumentParser
import Foundation
import StrataAPI

/// Which resources: `--resource`, `--group`, or a selector (`--kind` with `--server-type`, `--name`, `--under`).
struct TargetOptions: ParsableArguments {
    @Option(help: "One resource id.") var resource: String?
    @Option(help: "A group id: its members (with --kind, the resources of that kind below them).") var group: String?
    @Option(help: "Every resource of this kind (server, platform, vm, container, …).") var kind: String?
    @Option(help: "With --kind server: only this server type (nginx, tomcat, …).") var serverType: String?
    @Option(help: "Only resources whose name contains this.") var name: String?
    @Option(help: "Only resources below this resource id.") var under: String?

    var target: API.ControlTarget {
        API.ControlTarget(resource: resource, group: group, kind: kind, serverType: serverType, name: name, under: under)
    }
}

/// `--param NAME=VALUE` pairs as a dictionary.
func parameterValues(_ parameters: [String]) throws -> [String: String]? {
    var values: [String: String] = [:]
    for parameter in parameters {
        guard let equals = parameter.firstIndex(of: "=") else { throw ValidationError("--param needs NAME=VALUE, not \"\(parameter)\"") }
        values[String(parameter[..<equals])] = String(parameter[parameter.index(after: equals)...])
    }
    return values.isEmpty ? nil : values
}

extension ControlCommandLine {
    struct Group: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run an action across a group or a selector (permission control).",
            discussion: "strata control group reload --kind server --server-type nginx --concurrency 5 --stop-on-failure --wait")
        @Argument(help: "The action.") var action: String
        @OptionGroup var target: TargetOptions
        @Option(name: .customLong("param"), help: "NAME=VALUE (repeatable).") var parameters: [String] = []
        @Option(help: "Most commands in flight (default 10).") var concurrency: Int?
        @Flag(help: "Start nothing more after the first failure.") var stopOnFailure = false
        @Flag(help: "Only list the resources and what would run.") var dryRun = false
        @Flag(help: "Wait until every command has ended.") var wait = false
        @Option(help: "Each command's deadline: 30s, 5m (default), at most 24h.") var deadline: String?
        @OptionGroup var client: ClientOptions

        func run() throws {
            let request = API.GroupRunRequest(target: target.target, action: action, parameters: try parameterValues(parameters), concurrency: concurrency,
                                              stopOnFailure: stopOnFailure ? true : nil, deadline: deadline, dryRun: dryRun ? true : nil)
            var run = try client.send("POST", "/api/v1/control/group-runs", body: request, as: API.GroupRun.self)
            while wait, run.state == "running" {
                Thread.sleep(forTimeInterval: 0.3)
                run = try client.get("/api/v1/control/group-runs/\(run.id)", as: API.GroupRun.self)
            }
            if client.json { return try client.printJSON(run) }
            ControlCommandLine.describe(run)
            if wait, run.summary["succeeded", default: 0] != run.summary["total", default: 0] { throw ExitCode(1) }
        }
    }

    /// A group run: its state, summary and one line per resource.
    static func describe(_ run: API.GroupRun) {
        let summary = run.summary.filter { $0.key != "total" }.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("\(run.action) on \(run.summary["total", default: 0]) resources: \(run.state)\(summary.isEmpty ? "" : " (\(summary))")"
              + (run.id.isEmpty ? "" : " [\(run.id)]"))
        printTable(["RESOURCE", "NAME", "STATE", "COMMAND", "MESSAGE"], run.items.map { item in
            [item.resourceId, item.resourceName, item.state, item.commandId ?? "-", item.message ?? ""]
        })
    }

    struct Schedules: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Actions on a cron schedule: list (with next runs), add, delete.",
            subcommands: [List.self, Add.self, Delete.self], defaultSubcommand: List.self)

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Schedules with their next run.")
            @OptionGroup var client: ClientOptions

            func run() throws {
                let schedules = try client.get("/api/v1/control/schedules", as: [API.Schedule].self)
                if client.json { return try client.printJSON(schedules) }
                printTable(["ID", "NAME", "CRON", "TIMEZONE", "ACTION", "ENABLED", "NEXT RUN", "LAST RUN"], schedules.map { schedule in
                    [schedule.id, schedule.name, schedule.cron, schedule.timezone, schedule.action, schedule.enabled ? "yes" : "no",
                     time(schedule.nextRuns.first), time(schedule.lastRunMs)]
                })
            }
        }

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a schedule (permission control).",
                discussion: "strata control schedules add nightly-reload '30 2 * * *' reload --timezone Europe/Berlin --kind server --server-type nginx")
            @Argument(help: "A name, unique in the tenant.") var name: String
            @Argument(help: "Five cron fields or @daily, @hourly, …") var cron: String
            @Argument(help: "The action.") var action: String
            @Option(help: "A tz database name (default UTC).") var timezone: String?
            @OptionGroup var target: TargetOptions
            @Option(name: .customLong("param"), help: "NAME=VALUE (repeatable).") var parameters: [String] = []
            @Option(help: "Most commands in flight (default 10).") var concurrency: Int?
            @Flag(help: "Start nothing more after the first failure.") var stopOnFailure = false
            @Flag(help: "Save it disabled.") var disabled = false
            @OptionGroup var client: ClientOptions

            func run() throws {
                let request = API.ScheduleRequest(name: name, cron: cron, timezone: timezone, target: target.target, action: action,
                                                  parameters: try parameterValues(parameters), concurrency: concurrency,
                                                  stopOnFailure: stopOnFailure ? true : nil, deadline: nil, enabled: disabled ? false : nil)
                let schedule = try client.send("POST", "/api/v1/control/schedules", body: request, as: API.Schedule.self)
                if client.json { return try client.printJSON(schedule) }
                print("schedule \(schedule.name) [\(schedule.id)]: \(schedule.action) at \(schedule.cron) \(schedule.timezone)")
                for run in schedule.nextRuns { print("  next: \(time(run))") }
            }
        }

        struct Delete: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a schedule (permission control).")
            @Argument(help: "The schedule id.") var id: String
            @OptionGroup var client: ClientOptions

            func run() throws {
                _ = try client.send("DELETE", "/api/v1/control/schedules/\(id)", as: [String: String].self)
                print("deleted schedule \(id)")
            }
        }
    }
}
