#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// User process rules: any process an operator names becomes a server of type `process` with the process
/// metrics every server gets (CPU, RSS, threads, fds, I/O) and its `depends-on` edges. Rules live in the
/// credentials file as `process.NAME.comm = GLOB` (the process name, e.g. `java`) and/or
/// `process.NAME.cmdline = GLOB` (the arguments joined by spaces, e.g. `*crm-batch.jar*`); a process must
/// match every pattern its rule gives. Each rule names one server: the oldest matching process.
public struct ProcessRulePlugin: ServerPlugin {
    /// One rule.
    public struct Rule: Sendable, Equatable {
        /// The rule's name, also the server's key (`process:NAME`).
        public var name: String
        /// Pattern for `/proc/PID/comm`.
        public var comm: String?
        /// Pattern for the command line.
        public var cmdline: String?
    }

    /// The rules, by name.
    public let rules: [Rule]

    public var type: String { "process" }
    public var processNames: Set<String> { [] }
    public var controlActions: [ControlAction] {
        ControlAction.freezeAndThaw + [ControlAction("terminate", "ask the process to exit (SIGTERM)", .signal(SIGTERM))]
    }

    /// The rules found in `settings` (`process.NAME.comm` / `process.NAME.cmdline`).
    public init(settings: [String: String]) {
        var rules: [String: Rule] = [:]
        for (key, value) in settings where key.hasPrefix("process.") {
            let parts = key.split(separator: ".")
            guard parts.count == 3, !value.isEmpty else { continue }
            let name = String(parts[1])
            var rule = rules[name] ?? Rule(name: name)
            if parts[2] == "comm" { rule.comm = value } else if parts[2] == "cmdline" { rule.cmdline = value } else { continue }
            rules[name] = rule
        }
        self.rules = rules.values.sorted { $0.name < $1.name }
    }

    public func mayOwn(processNamed name: String) -> Bool {
        rules.contains { rule in rule.comm.map { fnmatch($0, name, 0) == 0 } ?? true }
    }

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        rule(for: process) != nil
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "process:\(rule(for: process)?.name ?? process.name)"
    }

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let name = rule(for: process)?.name ?? process.name
        return ServerReport(key: "process:\(name)", name: name,
                            properties: [("type", .string("process")), ("rule", .string(name)), ("executable", .string(process.executable))])
    }

    /// The first rule `process` satisfies; never the agent itself.
    func rule(for process: ProcessEntry) -> Rule? {
        guard process.pid != getpid() else { return nil }
        let commandLine = process.arguments.joined(separator: " ")
        return rules.first { rule in
            (rule.comm.map { fnmatch($0, process.name, 0) == 0 } ?? true) && (rule.cmdline.map { fnmatch($0, commandLine, 0) == 0 } ?? true)
        }
    }
}

extension ProcessRulePlugin.Rule {
    init(name: String) { self.init(name: name, comm: nil, cmdline: nil) }
}
