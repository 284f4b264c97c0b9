import Foundation
import Testing

/// The CRM stack found by the real agent: Apache with its virtual host, Tomcat with its webapp, MariaDB and
/// PostgreSQL with their databases, each with its version and ports, metrics that move under load, and the
/// depends-on edge from a client holding a database connection.
@Suite(.serialized) struct WebStackDiscoveryTests {
    static let password = "stack-Secret-42"

    @Test func theCRMStackIsFoundWithServicesMovingCountersAndItsDependencyEdge() throws {
        let bed = try Testbed("webstack")
        let server = try bed.startServer()
        defer { server.terminate() }
        let apache = try WebStack.apache(bed)
        defer { apache.process.killTree() }
        let tomcat = try WebStack.tomcat(bed, password: Self.password)
        defer { tomcat.process.killTree() }
        let mariadb = try WebStack.mariadb(bed, password: Self.password)
        defer { mariadb.process.killTree() }
        let postgres = try WebStack.postgresql(bed, password: Self.password)
        defer { postgres.process.killTree() }

        // Credentials for the status interfaces, and a rule that makes the CRM's database client a server.
        try WebStack.write("""
            mysql.user = strata
            mysql.password = \(Self.password)
            postgresql.password = \(Self.password)
            tomcat.password = \(Self.password)
            process.crm-client.comm = mariadb
            """, to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        defer { agent.terminate() }

        func servers() throws -> [[String: Any]] { try bed.get("/api/v1/resources?kind=server&limit=1000") as? [[String: Any]] ?? [] }
        func serverNamed(_ name: String) throws -> [String: Any]? { try servers().first { $0["name"] as? String == name } }
        func properties(_ name: String) throws -> [String: Any] { try serverNamed(name)?["properties"] as? [String: Any] ?? [:] }
        func services(_ id: String) throws -> [String] {
            (try bed.get("/api/v1/resources?parent=\(id)") as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
        }
        func last(_ id: String, _ metric: String, _ labels: [String: String] = [:]) throws -> Double {
            try bed.samples(platformID: id, metric: metric, labels: labels).last?.1 ?? -1
        }
        let names = (apache: "apache \(apache.directory)/httpd.conf", tomcat: "tomcat \(tomcat.directory)",
                     mariadb: "mariadbd :\(mariadb.port)", postgres: "postgresql :\(postgres.port)")
        try waitUntil("the four servers with their versions", timeout: 60) {
            try [names.apache, names.tomcat, names.mariadb, names.postgres].allSatisfy { try properties($0)["version"] != nil }
        }

        // Type, version and ports of each.
        let expectations: [(name: String, type: String, version: String, port: Int)] = [
            (names.apache, "apache", "2.4.", apache.port), (names.tomcat, "tomcat", "10.", tomcat.port),
            (names.mariadb, "mariadb", "10.", mariadb.port), (names.postgres, "postgresql", "1", postgres.port),
        ]
        for expected in expectations {
            let found = try properties(expected.name)
            #expect(found["type"] as? String == expected.type, "\(expected.name): \(found)")
            #expect((found["version"] as? String)?.hasPrefix(expected.version) == true, "\(expected.name) version: \(found["version"] ?? "none")")
            #expect((found["ports"] as? [Int])?.contains(expected.port) == true, "\(expected.name) ports: \(found["ports"] ?? "none")")
        }
        #expect((try properties(names.apache)["config_files"] as? [String])?.first == apache.directory + "/httpd.conf")
        #expect((try properties(names.apache)["log_files"] as? [String])?.contains(apache.directory + "/crm-error.log") == true,
                "${VAR} in the configuration is read from the master's environment")

        // Services: the vhost, the webapps, the databases.
        var ids: [String] = []
        for name in [names.apache, names.tomcat, names.mariadb, names.postgres] {
            ids.append(try #require(try serverNamed(name)?["id"] as? String))
        }
        try waitUntil("the services of each server", timeout: 30) {
            try services(ids[0]) == ["crm.example:\(apache.port)"] && services(ids[1]).contains("/crm")
                && services(ids[2]) == ["crm"] && services(ids[3]).contains("crm")
        }
        #expect(try services(ids[1]) == ["/crm", "/manager"])
        #expect(try services(ids[3]) == ["crm", "postgres"])

        // Counters move with load.
        let crmWebapp = try #require((try bed.get("/api/v1/resources?parent=\(ids[1])") as? [[String: Any]])?
            .first { $0["name"] as? String == "/crm" }?["id"] as? String)
        let before = (apache: try last(ids[0], "apache_accesses_total"), webapp: try last(crmWebapp, "tomcat_webapp_requests_total"),
                      mariadb: try last(ids[2], "mysql_commands_total", ["command": "select"]))
        for _ in 0..<15 {
            _ = try curl(["-o", "/dev/null", "http://127.0.0.1:\(apache.port)/"])
            _ = try curl(["-o", "/dev/null", "http://127.0.0.1:\(tomcat.port)/crm/"])
            _ = try runTool("/usr/bin/mariadb", ["-S", mariadb.directory + "/mysqld.sock", "-u", "root", "-e", "SELECT * FROM crm.accounts"])
        }
        let bin = try WebStack.postgresBin()
        try WebStack.psql(bin, port: postgres.port, password: Self.password, database: "crm",
                          "CREATE TABLE deals (id int); INSERT INTO deals SELECT generate_series(1, 500)")
        let crmDatabase = try #require((try bed.get("/api/v1/resources?parent=\(ids[3])") as? [[String: Any]])?
            .first { $0["name"] as? String == "crm" }?["id"] as? String)
        try waitUntil("apache accesses, webapp requests, mariadb selects and postgres inserts counted", timeout: 30) {
            try last(ids[0], "apache_accesses_total") >= before.apache + 15
                && last(crmWebapp, "tomcat_webapp_requests_total") >= before.webapp + 15
                && last(ids[2], "mysql_commands_total", ["command": "select"]) >= before.mariadb + 15
                && last(crmDatabase, "postgresql_database_rows_inserted_total") >= 500
        }
        #expect(try last(ids[1], "tomcat_jvm_memory_used_bytes", ["area": "heap"]) > 0)
        #expect(try last(ids[2], "mysql_innodb_buffer_pool_pages", ["state": "total"]) > 0)
        #expect(try last(ids[3], "postgresql_max_connections") > 0)

        // A client holding a connection to MariaDB: a depends-on edge from it to the database server.
        let client = try StrataProcess(executable: "/usr/bin/mariadb", [
            "-h", "127.0.0.1", "-P", String(mariadb.port), "-u", "strata", "-p\(Self.password)", "-e", "SELECT SLEEP(120)",
        ], logPath: bed.directory + "/crm-client.log")
        defer { client.killTree() }
        try waitUntil("the depends-on edge from crm-client to mariadb", timeout: 30) {
            let detail = try bed.get("/api/v1/resources/\(ids[2])") as? [String: Any] ?? [:]
            return (detail["relations"] as? [[String: Any]] ?? []).contains {
                $0["kind"] as? String == "depends-on" && $0["direction"] as? String == "in" && $0["name"] as? String == "crm-client"
            }
        }
        let events = try bed.get("/api/v1/events?kind=relation") as? [[String: Any]] ?? []
        #expect(events.contains { ($0["message"] as? String)?.contains("crm-client depends on \(names.mariadb)") == true })

        // Stopped: down within two intervals; restarted on the same port: the same resource, up again.
        mariadb.process.killTree()
        try waitUntil("mariadb marked down", timeout: 10) { try serverNamed(names.mariadb)?["availability"] as? String == "down" }
        let restarted = try WebStack.mariadbd(directory: mariadb.directory, port: mariadb.port)
        defer { restarted.killTree() }
        try waitUntil("mariadb up again", timeout: 60) { try serverNamed(names.mariadb)?["availability"] as? String == "up" }
        #expect(try serverNamed(names.mariadb)?["id"] as? String == ids[2], "identity survives the restart")
    }
}
