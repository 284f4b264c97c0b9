import Foundation

/// The classic CRM stack — Apache httpd, Tomcat, MariaDB, PostgreSQL — started by hand on loopback ports
/// with their own configuration and data under a test bed (../shared/TESTBEDS.md recipes). Each start
/// returns once the server answers; stop them with `killTree()` (the test runner's children inherit its
/// blocked SIGTERM).
enum WebStack {
    /// Where a started server listens and keeps its files.
    struct Started {
        let process: StrataProcess
        let port: Int
        let directory: String
    }

    /// Runs `body`; if it throws, stops `process` and its children first (no test `defer` holds it yet).
    static func stopOnFailure(_ process: StrataProcess, _ body: () throws -> Void) throws {
        do { try body() } catch {
            process.killTree()
            throw error
        }
    }

    static func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Apache in the foreground with mod_status at /server-status and one virtual host `crm.example`.
    static func apache(_ bed: Testbed) throws -> Started {
        let directory = bed.directory + "/apache"
        let port = try Testbed.freePort()
        try write("<html>CRM</html>\n", to: directory + "/www/index.html")
        try write("""
            ServerRoot /etc/apache2
            ServerName localhost
            DefaultRuntimeDir ${CRM_APACHE}
            PidFile ${CRM_APACHE}/httpd.pid
            Mutex file:${CRM_APACHE} default
            User www-data
            Group www-data
            Listen 127.0.0.1:\(port)
            Include mods-enabled/*.load
            Include mods-enabled/*.conf
            ErrorLog ${CRM_APACHE}/error.log
            LogFormat "%h %l %u %t \\"%r\\" %>s %b" common
            CustomLog ${CRM_APACHE}/access.log common
            <Directory />
                AllowOverride None
            </Directory>
            <Location /status-page>
                SetHandler server-status
            </Location>
            <VirtualHost *:\(port)>
                ServerName crm.example
                ServerAlias www.crm.example
                DocumentRoot ${CRM_APACHE}/www
                ErrorLog ${CRM_APACHE}/crm-error.log
            </VirtualHost>
            """, to: directory + "/httpd.conf")
        let process = try StrataProcess(executable: "/usr/sbin/apache2", ["-f", directory + "/httpd.conf", "-DFOREGROUND"],
                                        environment: ["CRM_APACHE": directory], logPath: directory + "/stdout.log")
        try stopOnFailure(process) {
            try waitUntil("apache answering", timeout: 20) { try curl(["-f", "-o", "/dev/null", "http://127.0.0.1:\(port)/"]).status == 0 }
        }
        return Started(process: process, port: port, directory: directory)
    }

    /// Tomcat 10 (`catalina.sh run`, which execs java) with the Debian manager webapp, a `strata` manager
    /// user (manager-status, manager-jmx) and a static webapp `/crm`; as `user` (through runuser, its base
    /// directory chowned to it) when one is given.
    static func tomcat(_ bed: Testbed, password: String, user: String? = nil) throws -> Started {
        let base = bed.directory + "/tomcat"
        let port = try Testbed.freePort()
        for name in ["logs", "work", "temp"] { try FileManager.default.createDirectory(atPath: base + "/" + name, withIntermediateDirectories: true) }
        try write(try String(contentsOfFile: "/etc/tomcat10/web.xml", encoding: .utf8), to: base + "/conf/web.xml")
        try write("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Server port="-1" shutdown="SHUTDOWN">
              <Service name="Catalina">
                <Connector port="\(port)" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
                <Engine name="Catalina" defaultHost="localhost">
                  <Realm className="org.apache.catalina.realm.MemoryRealm"/>
                  <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
                </Engine>
              </Service>
            </Server>
            """, to: base + "/conf/server.xml")
        try write("""
            <tomcat-users><role rolename="manager-status"/><role rolename="manager-jmx"/>
            <user username="strata" password="\(password)" roles="manager-status,manager-jmx"/></tomcat-users>
            """, to: base + "/conf/tomcat-users.xml")
        try write(#"<Context docBase="/usr/share/tomcat10-admin/manager" privileged="true"/>"#,
                  to: base + "/conf/Catalina/localhost/manager.xml")
        try write("<html>CRM</html>\n", to: base + "/webapps/crm/index.html")
        try write(#"<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"><display-name>CRM</display-name></web-app>"#,
                  to: base + "/webapps/crm/WEB-INF/web.xml")
        if let user { _ = try runTool("/usr/bin/chown", ["-R", user, base]) }
        let catalina = "/usr/share/tomcat10/bin/catalina.sh"
        let process = try StrataProcess(executable: user == nil ? catalina : "/usr/sbin/runuser",
                                        user.map { ["-u", $0, "--", catalina, "run"] } ?? ["run"],
                                        environment: ["CATALINA_HOME": "/usr/share/tomcat10", "CATALINA_BASE": base,
                                                      "CATALINA_PID": base + "/tomcat.pid"],
                                        logPath: base + "/stdout.log")
        try stopOnFailure(process) {
            try waitUntil("tomcat serving /crm/", timeout: 90) { try curl(["-f", "-o", "/dev/null", "http://127.0.0.1:\(port)/crm/"]).status == 0 }
        }
        return Started(process: process, port: port, directory: base)
    }

    /// MariaDB with its own data directory, a `strata` user (status and schema sizes) and a `crm` database.
    static func mariadb(_ bed: Testbed, password: String) throws -> Started {
        let directory = bed.directory + "/mariadb"
        let port = try Testbed.freePort()
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        _ = try runTool("/usr/bin/chown", ["-R", "mysql", directory])
        let install = try runTool("/usr/bin/mariadb-install-db", ["--user=mysql", "--datadir=\(directory)/data", "--skip-test-db",
                                                                   "--auth-root-authentication-method=socket"])
        guard install.status == 0 else { throw HarnessError.api("mariadb-install-db failed: \(install.output.suffix(400))") }
        let process = try mariadbd(directory: directory, port: port)
        let client = ["-S", directory + "/mysqld.sock", "-u", "root"]
        try stopOnFailure(process) {
            try waitUntil("mariadb accepting connections", timeout: 60) { try runTool("/usr/bin/mariadb", client + ["-e", "SELECT 1"]).status == 0 }
        }
        let setup = try runTool("/usr/bin/mariadb", client + ["-e", """
            CREATE USER 'strata'@'127.0.0.1' IDENTIFIED BY '\(password)';
            CREATE USER 'strata'@'localhost' IDENTIFIED BY '\(password)';
            GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'strata'@'127.0.0.1';
            GRANT PROCESS, REPLICATION CLIENT, SELECT ON *.* TO 'strata'@'localhost';
            CREATE DATABASE crm;
            CREATE TABLE crm.accounts (id INT PRIMARY KEY, name VARCHAR(40));
            INSERT INTO crm.accounts VALUES (1, 'Acme'), (2, 'Globex');
            """])
        guard setup.status == 0 else { process.killTree(); throw HarnessError.api("mariadb setup failed") }
        return Started(process: process, port: port, directory: directory)
    }

    /// Starts `mariadbd` on the data directory under `directory` (again, after a stop).
    static func mariadbd(directory: String, port: Int) throws -> StrataProcess {
        try StrataProcess(executable: "/usr/sbin/mariadbd", [
            "--no-defaults", "--user=mysql", "--datadir=\(directory)/data", "--port=\(port)", "--bind-address=127.0.0.1",
            "--socket=\(directory)/mysqld.sock", "--pid-file=\(directory)/mysqld.pid", "--innodb-buffer-pool-size=16M",
            "--log-error=\(directory)/error.log", "--skip-log-bin",
        ], logPath: directory + "/stdout.log")
    }

    /// The newest installed PostgreSQL's `bin` directory.
    static func postgresBin() throws -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else { throw HarnessError.binaryMissing("/usr/lib/postgresql/*/bin/postgres") }
        return "/usr/lib/postgresql/\(newest)/bin"
    }

    /// PostgreSQL run as the `postgres` user from its own cluster, SCRAM-SHA-256 logins, database `crm`.
    static func postgresql(_ bed: Testbed, password: String) throws -> Started {
        let directory = bed.directory + "/postgresql"
        let port = try Testbed.freePort()
        let bin = try postgresBin()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try write(password + "\n", to: directory + "/pwfile")
        _ = try runTool("/usr/bin/chown", ["-R", "postgres", directory])
        let initdb = try runTool("/usr/sbin/runuser", ["-u", "postgres", "--", bin + "/initdb", "-D", directory + "/data",
                                                       "-A", "scram-sha-256", "-U", "postgres", "--pwfile", directory + "/pwfile"])
        guard initdb.status == 0 else { throw HarnessError.api("initdb failed: \(initdb.output.suffix(400))") }
        let process = try StrataProcess(executable: "/usr/sbin/runuser", [
            "-u", "postgres", "--", bin + "/postgres", "-D", directory + "/data", "-p", String(port), "-k", directory,
            "-c", "listen_addresses=127.0.0.1",
        ], logPath: directory + "/stdout.log")
        try stopOnFailure(process) {
            try waitUntil("postgresql accepting connections", timeout: 60) {
                try runTool(bin + "/pg_isready", ["-h", "127.0.0.1", "-p", String(port)]).status == 0
            }
            try psql(bin, port: port, password: password, "CREATE DATABASE crm")
        }
        return Started(process: process, port: port, directory: directory)
    }

    /// Runs one SQL statement with psql over TCP as `postgres`.
    @discardableResult
    static func psql(_ bin: String, port: Int, password: String, database: String = "postgres", _ sql: String) throws -> String {
        let result = try runTool(bin + "/psql", ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-tAc", sql],
                                 environment: ["PGPASSWORD": password, "PATH": "/usr/bin:/bin"])
        guard result.status == 0 else { throw HarnessError.api("psql \(sql) failed") }
        return result.output
    }
}
