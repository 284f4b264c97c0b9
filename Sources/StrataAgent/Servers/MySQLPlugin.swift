#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import StrataCore

/// MariaDB and MySQL: `mariadbd`/`mysqld` with a listening port; identity, global status and variables,
/// replication (when the server is a replica) and per-database sizes through the client protocol
/// (`MySQLClient`), logged in as `mysql.user` (default `root`) with `mysql.password` from the credentials
/// file. Services are the user databases.
public struct MySQLPlugin: ServerPlugin {
    public var type: String { "mysql" }
    public var processNames: Set<String> { ["mariadbd", "mysqld"] }
    public var controlActions: [ControlAction] {
        [ControlAction("flush", "reload grant tables, flush and reopen logs (SIGHUP)", .signal(SIGHUP)),
         ControlAction("stop", "shut the server down cleanly (SIGTERM)", .signal(SIGTERM))]
    }

    /// Creates the plugin.
    public init() {}

    public func matches(_ process: ProcessEntry, in table: ProcessTable) -> Bool {
        processNames.contains(process.name) && !process.listeningPorts.isEmpty
    }

    public func key(for process: ProcessEntry, context: PluginContext) -> String {
        "mysql:\(Self.port(process))"
    }

    /// The server's SQL port: 3306 when it listens there, else its first listening port.
    static func port(_ process: ProcessEntry) -> UInt16 {
        process.listeningPorts.contains(3306) ? 3306 : process.listeningPorts.first ?? 3306
    }

    /// Schemas that are the server's own, not services.
    static let systemSchemas: Set<String> = ["information_schema", "performance_schema", "mysql", "sys"]

    public func inspect(_ process: ProcessEntry, context: PluginContext) -> ServerReport {
        let port = Self.port(process)
        var report = ServerReport(key: key(for: process, context: context), name: "\(process.name) :\(port)",
                                  properties: [("type", .string(process.name == "mariadbd" ? "mariadb" : "mysql")),
                                               ("executable", .string(process.executable)),
                                               ("ports", .list(process.listeningPorts.map { .int(Int64($0)) }))])
        do {
            let client = try MySQLClient(host: "127.0.0.1", port: port, user: context.settings["mysql.user"] ?? "root",
                                         password: context.settings["mysql.password"] ?? "", timeoutMs: context.timeoutMs)
            let status = try client.pairs("SHOW GLOBAL STATUS")
            let variables = try client.pairs("""
                SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'version_comment', 'max_connections', 'innodb_buffer_pool_size', \
                'datadir', 'log_error', 'slow_query_log_file', 'general_log_file', 'pid_file')
                """)
            let databases = try client.query("""
                SELECT s.schema_name, COALESCE(SUM(t.data_length + t.index_length), 0), COUNT(t.table_name) \
                FROM information_schema.schemata s LEFT JOIN information_schema.tables t ON t.table_schema = s.schema_name \
                GROUP BY s.schema_name ORDER BY s.schema_name
                """)
            // Only a replica answers with a row; a user without REPLICATION CLIENT gets an error, which is not a failure.
            let replica = try? client.query("SHOW SLAVE STATUS")
            Self.apply(version: client.serverVersion, status: status, variables: variables, databases: databases, to: &report)
            if let replica, !replica.isEmpty { Self.applyReplica(replica, to: &report) }
        } catch {
            report.status = .failed("\(error)")
        }
        return report
    }

    /// Metric name, type and status variable of each server-level reading.
    static let statusFields: [(metric: String, counter: Bool, field: String, labels: Labels)] = [
        ("mysql_uptime_seconds", false, "Uptime", [:]),
        ("mysql_connections_total", true, "Connections", [:]),
        ("mysql_aborted_connects_total", true, "Aborted_connects", [:]),
        ("mysql_threads_connected", false, "Threads_connected", [:]),
        ("mysql_threads_running", false, "Threads_running", [:]),
        ("mysql_max_used_connections", false, "Max_used_connections", [:]),
        ("mysql_queries_total", true, "Queries", [:]),
        ("mysql_questions_total", true, "Questions", [:]),
        ("mysql_slow_queries_total", true, "Slow_queries", [:]),
        ("mysql_received_bytes_total", true, "Bytes_received", [:]),
        ("mysql_sent_bytes_total", true, "Bytes_sent", [:]),
        ("mysql_commands_total", true, "Com_select", ["command": "select"]),
        ("mysql_commands_total", true, "Com_insert", ["command": "insert"]),
        ("mysql_commands_total", true, "Com_update", ["command": "update"]),
        ("mysql_commands_total", true, "Com_delete", ["command": "delete"]),
        ("mysql_rows_total", true, "Rows_read", ["operation": "read"]),
        ("mysql_rows_total", true, "Rows_sent", ["operation": "sent"]),
        ("mysql_rows_total", true, "Handler_write", ["operation": "written"]),
        ("mysql_rows_total", true, "Handler_update", ["operation": "updated"]),
        ("mysql_rows_total", true, "Handler_delete", ["operation": "deleted"]),
        ("mysql_innodb_rows_total", true, "Innodb_rows_read", ["operation": "read"]),
        ("mysql_innodb_rows_total", true, "Innodb_rows_inserted", ["operation": "inserted"]),
        ("mysql_innodb_rows_total", true, "Innodb_rows_updated", ["operation": "updated"]),
        ("mysql_innodb_rows_total", true, "Innodb_rows_deleted", ["operation": "deleted"]),
        ("mysql_innodb_buffer_pool_pages", false, "Innodb_buffer_pool_pages_total", ["state": "total"]),
        ("mysql_innodb_buffer_pool_pages", false, "Innodb_buffer_pool_pages_free", ["state": "free"]),
        ("mysql_innodb_buffer_pool_pages", false, "Innodb_buffer_pool_pages_data", ["state": "data"]),
        ("mysql_innodb_buffer_pool_pages", false, "Innodb_buffer_pool_pages_dirty", ["state": "dirty"]),
        ("mysql_innodb_buffer_pool_read_requests_total", true, "Innodb_buffer_pool_read_requests", [:]),
        ("mysql_innodb_buffer_pool_reads_total", true, "Innodb_buffer_pool_reads", [:]),
        ("mysql_table_locks_waited_total", true, "Table_locks_waited", [:]),
        ("mysql_created_tmp_disk_tables_total", true, "Created_tmp_disk_tables", [:]),
    ]

    /// Fills `report` from status, variables and the per-schema size rows (name, bytes, tables).
    static func apply(version: String, status: [String: String], variables: [String: String], databases: [[String?]],
                      to report: inout ServerReport) {
        let fullVersion = variables["version"] ?? version
        report.properties.append(("version", .string(String(fullVersion.prefix { $0 != "-" }))))
        if fullVersion.contains("MariaDB") { report.properties[0] = ("type", .string("mariadb")) }
        if let comment = variables["version_comment"] { report.properties.append(("version_comment", .string(comment))) }
        if let directory = variables["datadir"] { report.properties.append(("data_directory", .string(directory))) }
        let logs = ["log_error", "slow_query_log_file", "general_log_file"].compactMap { variables[$0] }.filter { $0.hasPrefix("/") }
        if !logs.isEmpty { report.properties.append(("log_files", .list(logs.map { .string($0) }))) }
        for field in statusFields {
            guard let text = status[field.field], let value = Double(text) else { continue }
            if field.counter { report.metrics.counter(field.metric, value, field.labels) } else { report.metrics.gauge(field.metric, value, field.labels) }
        }
        if let max = variables["max_connections"].flatMap(Double.init) { report.metrics.gauge("mysql_max_connections", max) }
        if let size = variables["innodb_buffer_pool_size"].flatMap(Double.init) { report.metrics.gauge("mysql_innodb_buffer_pool_size_bytes", size) }
        for row in databases where row.count >= 3 {
            guard let name = row[0], !systemSchemas.contains(name.lowercased()) else { continue }
            var service = ServiceReport(key: name, name: name, properties: [("kind", .string("database"))])
            if let bytes = row[1].flatMap(Double.init) { service.metrics.gauge("mysql_database_size_bytes", bytes) }
            if let tables = row[2].flatMap(Double.init) { service.metrics.gauge("mysql_database_tables", tables) }
            report.services.append(service)
        }
    }

    /// Replica readings from `SHOW SLAVE STATUS` (first row, columns by position as both servers order them).
    static func applyReplica(_ rows: [[String?]], to report: inout ServerReport) {
        guard let row = rows.first, row.count > 32 else { return }
        report.properties.append(("role", .string("replica")))
        // Slave_IO_Running (10), Slave_SQL_Running (11), Seconds_Behind_Master (32).
        report.metrics.gauge("mysql_replica_io_running", row[10] == "Yes" ? 1 : 0)
        report.metrics.gauge("mysql_replica_sql_running", row[11] == "Yes" ? 1 : 0)
        if let behind = row[32].flatMap(Double.init) { report.metrics.gauge("mysql_replica_lag_seconds", behind) }
    }
}
