#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// PostgreSQL: the postmaster (a `postgres` process whose parent is not one) with a listening port;
/// identity, connections, per-database activity (`pg_stat_database`) and the background writer
/// (`pg_stat_bgwriter`) through the wire protocol (`PostgresClient`), as `postgresql.user` (default
/// `postgres`) with `postgresql.password` from the credentials file; a role in `pg_monitor` suffices.
/// Services are the databases that accept connections.
public struct PostgresPlugin: ServerPlugin {
    public var type: String { "postgresql" }
    public var processNames: Set<String> { ["postgres", "postmaster"] }
    public var controlActions: [ControlAction] {
        [ControlAction("reload", "re-read postgresql.conf and pg_hba.conf (SIGHUP)", .signal(SIGHUP)),
         ControlAction("stop", "roll back open transactions and stop (pg_ctl stop -m fast, else SIGINT)", .signal(SIGINT)),
         ControlAction("fast-stop", "roll back open transactions and stop (SIGINT)", .signal(SIGINT))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        processNames.contains(process.name) && !processNames.contains(table.process(process.ppid)?.name ?? "")
            && !process.listeningPorts.isEmpty
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "postgresql:\(Self.port(process))"
    }

    public var launchEnvironment: [String] { ["PGDATA", "PGSYSCONFDIR"] }

    /// `pg_ctl reload` and `pg_ctl stop -m fast` with the data directory (`-D`, else `PGDATA`) when `pg_ctl` sits
    /// next to the executable, else SIGHUP and SIGINT; start runs the postmaster's own command line again.
    public func lifecycle(_ launch: ServerLaunch, fs: HostFS) -> ServerLifecycle {
        let start = ServerLifecycle.Step.launch([launch.executable] + launch.arguments)
        let pgctl = launch.executableDirectory + "/pg_ctl"
        guard let data = Self.dataDirectory(launch), fs.exists(pgctl) else {
            return ServerLifecycle(start: start, stop: .signal(SIGINT), reload: .signal(SIGHUP))
        }
        return ServerLifecycle(start: start, stop: .run([pgctl, "stop", "-D", data, "-m", "fast", "-t", "60"]), reload: .run([pgctl, "reload", "-D", data]))
    }

    /// The data directory: `-D DIR` (or `-DDIR`) on the command line, else `PGDATA`.
    static func dataDirectory(_ launch: ServerLaunch) -> String? {
        let arguments = launch.arguments
        if let flag = arguments.firstIndex(of: "-D"), flag + 1 < arguments.count { return arguments[flag + 1] }
        if let joined = arguments.first(where: { $0.hasPrefix("-D") && $0.count > 2 }) { return String(joined.dropFirst(2)) }
        return launch.environment["PGDATA"]
    }

    static func port(_ process: ProcessEntry) -> UInt16 {
        process.listeningPorts.contains(5432) ? 5432 : process.listeningPorts.first ?? 5432
    }

    /// `pg_stat_database` columns after `datname`, as counters (true) or gauges, with their metric names.
    static let databaseColumns: [(column: String, metric: String, counter: Bool)] = [
        ("numbackends", "postgresql_database_backends", false),
        ("xact_commit", "postgresql_database_commits_total", true),
        ("xact_rollback", "postgresql_database_rollbacks_total", true),
        ("blks_read", "postgresql_database_blocks_read_total", true),
        ("blks_hit", "postgresql_database_blocks_hit_total", true),
        ("tup_returned", "postgresql_database_rows_returned_total", true),
        ("tup_fetched", "postgresql_database_rows_fetched_total", true),
        ("tup_inserted", "postgresql_database_rows_inserted_total", true),
        ("tup_updated", "postgresql_database_rows_updated_total", true),
        ("tup_deleted", "postgresql_database_rows_deleted_total", true),
        ("deadlocks", "postgresql_database_deadlocks_total", true),
        ("temp_bytes", "postgresql_database_temp_bytes_total", true),
        ("pg_database_size(s.datid)", "postgresql_database_size_bytes", false),
    ]

    static let bgwriterColumns: [(column: String, metric: String)] = [
        ("checkpoints_timed", "postgresql_checkpoints_timed_total"),
        ("checkpoints_req", "postgresql_checkpoints_requested_total"),
        ("buffers_checkpoint", "postgresql_buffers_checkpoint_total"),
        ("buffers_clean", "postgresql_buffers_clean_total"),
        ("buffers_backend", "postgresql_buffers_backend_total"),
        ("buffers_alloc", "postgresql_buffers_allocated_total"),
    ]

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let port = Self.port(process)
        var report = ServerReport(key: key(for: process, context: context), name: "postgresql :\(port)",
                                  properties: [("type", .string("postgresql")), ("executable", .string(process.executable)),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        if let flag = process.arguments.firstIndex(of: "-D"), flag + 1 < process.arguments.count {
            report.properties.append(("data_directory", .string(process.arguments[flag + 1])))
        }
        do {
            let client = try PostgresClient(host: "127.0.0.1", port: port, user: context.settings["postgresql.user"] ?? "postgres",
                                            password: context.settings["postgresql.password"] ?? "",
                                            database: context.settings["postgresql.database"] ?? "postgres", timeoutMs: context.timeoutMs)
            if let version = client.parameters["server_version"] {
                report.properties.append(("version", .string(String(version.prefix { $0 != " " }))))
            }
            // Superusers and pg_read_all_settings see these; others get an error, which is not a failure.
            let files = ["config_file", "hba_file"].compactMap { (try? client.query("SHOW \($0)"))?.first?.first ?? nil }
            if !files.isEmpty { report.properties.append(("config_files", .list(files.map { .string($0) }))) }
            let databases = try client.query("""
                SELECT d.datname, \(Self.databaseColumns.map(\.column).joined(separator: ", ")) \
                FROM pg_stat_database s JOIN pg_database d ON d.oid = s.datid WHERE d.datallowconn AND NOT d.datistemplate ORDER BY 1
                """)
            let connections = try client.query("""
                SELECT COALESCE(state, 'unknown'), count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1
                """)
            let maxConnections = try client.query("SHOW max_connections")
            // PostgreSQL 17 moved the checkpoint columns to pg_stat_checkpointer: read what this version has.
            let bgwriter = try? client.query("SELECT \(Self.bgwriterColumns.map(\.column).joined(separator: ", ")) FROM pg_stat_bgwriter")
            Self.apply(databases: databases, connections: connections, maxConnections: maxConnections, bgwriter: bgwriter ?? [], to: &report)
        } catch {
            report.status = .failed("\(error)")
        }
        return report
    }

    /// Fills `report` from the query rows.
    static func apply(databases: [[String?]], connections: [[String?]], maxConnections: [[String?]], bgwriter: [[String?]],
                      to report: inout ServerReport) {
        var total = 0.0
        for row in connections where row.count >= 2 {
            guard let state = row[0], let count = row[1].flatMap(Double.init) else { continue }
            report.metrics.gauge("postgresql_connections", count, ["state": state])
            total += count
        }
        report.metrics.gauge("postgresql_client_connections", total)
        if let text = maxConnections.first?.first ?? nil, let max = Double(text) { report.metrics.gauge("postgresql_max_connections", max) }
        if let row = bgwriter.first {
            for (index, column) in bgwriterColumns.enumerated() where index < row.count {
                if let value = row[index].flatMap(Double.init) { report.metrics.counter(column.metric, value) }
            }
        }
        for row in databases where row.count == databaseColumns.count + 1 {
            guard let name = row[0] else { continue }
            var service = ServiceReport(key: name, name: name, properties: [("kind", .string("database"))])
            for (index, column) in databaseColumns.enumerated() {
                guard let value = row[index + 1].flatMap(Double.init) else { continue }
                if column.counter { service.metrics.counter(column.metric, value) } else { service.metrics.gauge(column.metric, value) }
            }
            report.services.append(service)
        }
    }
}
