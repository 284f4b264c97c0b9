import Foundation
import StrataCore
import Testing
@testable import StrataAgent

/// A scratch directory used as a host root.
private func scratchRoot() throws -> String {
    let root = NSTemporaryDirectory() + "strata-plugin-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    return root
}

private func put(_ text: String, _ path: String) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
}

@Test func apacheConfigFollowsIncludesVariablesVirtualHostsAndTheStatusLocation() throws {
    let root = try scratchRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try put("""
        ServerRoot /etc/httpd
        Listen 80
        Listen 127.0.0.1:8443
        # Include commented/*.conf
        IncludeOptional sites/*.conf
        Include missing/*.conf
        ErrorLog ${LOGS}/error.log
        CustomLog "|/usr/bin/rotatelogs /x" combined
        <Location "/status">
            SetHandler server-status
        </Location>
        """, root + "/etc/httpd/httpd.conf")
    try put("""
        <VirtualHost *:80>
            ServerName crm.example
            ServerAlias www.crm.example \\
                crm.internal
            DocumentRoot "/srv/crm docs"
            CustomLog logs/crm-access.log combined
        </VirtualHost>
        <VirtualHost 10.0.0.1:8443>
        </VirtualHost>
        """, root + "/etc/httpd/sites/crm.conf")
    try put("Include sites/*.conf\n", root + "/etc/httpd/sites/loop.conf")
    let config = ApacheConfig.read("/etc/httpd/httpd.conf", serverRoot: "/etc/httpd", environment: ["LOGS": "/var/log/httpd"],
                                   fs: HostFS(root: root))
    #expect(config.files == ["/etc/httpd/httpd.conf", "/etc/httpd/sites/crm.conf", "/etc/httpd/sites/loop.conf"],
            "includes are followed once each, even when they include each other")
    #expect(config.listenPorts == [80, 8443])
    #expect(config.logFiles == ["/var/log/httpd/error.log"], "variables from the environment; piped logs are not files")
    #expect(config.statusLocation == "/status")
    #expect(config.virtualHosts.count == 2)
    #expect(config.virtualHosts[0] == ApacheConfig.VirtualHost(serverName: "crm.example", aliases: ["www.crm.example", "crm.internal"], port: 80,
                                                               documentRoot: "/srv/crm docs", logFiles: ["/etc/httpd/logs/crm-access.log"]))
    #expect(config.virtualHosts[1].serverName == "_default_" && config.virtualHosts[1].port == 8443)
    #expect(ApachePlugin.configFile(["/usr/sbin/apache2", "-k", "start"]) == ("/etc/apache2/apache2.conf", "/etc/apache2"))
    #expect(ApachePlugin.configFile(["httpd", "-d", "/opt/h", "-f", "conf/h.conf"]) == ("/opt/h/conf/h.conf", "/opt/h"))
}

@Test func apacheStatusAutoBecomesWorkerScoreboardAndTrafficReadings() throws {
    let page = """
        127.0.0.1
        ServerVersion: Apache/2.4.62 (Debian)
        ServerMPM: event
        ServerUptimeSeconds: 120
        Total Accesses: 31
        Total kBytes: 12
        BusyWorkers: 2
        IdleWorkers: 48
        Scoreboard: W_K_....
        """
    let status = try #require(ApachePlugin.parseStatus(page))
    #expect(status.version == "2.4.62")
    var sink = MetricSink()
    ApachePlugin.record(status, into: &sink)
    #expect(sink.value("apache_accesses_total") == 31)
    #expect(sink.value("apache_sent_bytes_total") == 12_288)
    #expect(sink.value("apache_workers", ["state": "busy"]) == 2)
    #expect(sink.value("apache_scoreboard", ["state": "waiting"]) == 2)
    #expect(sink.value("apache_scoreboard", ["state": "keepalive"]) == 1)
    #expect(sink.value("apache_scoreboard", ["state": "open"]) == 4)
    #expect(ApachePlugin.parseStatus("<html><body>It works!</body></html>") == nil)
    #expect(ApachePlugin.parseStatus("BusyWorkers: many\nIdleWorkers: 1") == nil)
}

@Test func tomcatStatusJMXAndServerXMLAreRead() throws {
    let xml = """
        <?xml version="1.0" encoding="utf-8"?><status><jvm><memory free='100' total='400' max='1000'/>\
        <memorypool name='G1 Eden Space' type='Heap memory' usageCommitted='200' usageUsed='80'/>\
        <memorypool name='G1 Old Gen' type='Heap memory' usageCommitted='100' usageUsed='20'/>\
        <memorypool name='CodeHeap &apos;non-nmethods&apos;' type='Non-heap memory' usageCommitted='30' usageUsed='10'/></jvm>\
        <connector name='"http-nio-8080"'><threadInfo  maxThreads="200" currentThreadCount="10" currentThreadsBusy="2" />\
        <requestInfo  maxTime="34" processingTime="340" requestCount="17" errorCount="1" bytesReceived="0" bytesSent="3000" />\
        <workers></workers></connector></status>
        """
    var sink = MetricSink()
    TomcatPlugin.recordStatus(xml, into: &sink)
    #expect(sink.value("tomcat_jvm_memory_used_bytes", ["area": "heap"]) == 100)
    #expect(sink.value("tomcat_jvm_memory_committed_bytes", ["area": "nonheap"]) == 30)
    #expect(sink.value("tomcat_requests_total", ["connector": "http-nio-8080"]) == 17)
    #expect(sink.value("tomcat_threads_busy", ["connector": "http-nio-8080"]) == 2)
    let modules = "OK - Number of results: 2\r\n\r\nName: Catalina:j2eeType=WebModule,name=//localhost/crm,J2EEApplication=none\r\n" +
        "path: /crm\r\nrequestCount: 5\r\nerrorCount: 1\r\nprocessingTime: 9\r\ndocBase: crm\r\nstateName: STARTED\r\n\r\n" +
        "Name: Catalina:j2eeType=WebModule,name=//localhost/,J2EEApplication=none\r\npath: \r\nrequestCount: 2\r\n\r\n"
    let managers = "OK - Number of results: 1\r\n\r\nName: Catalina:type=Manager,host=localhost,context=/crm\r\nactiveSessions: 3\r\nsessionCounter: 8\r\n"
    let webapps = TomcatPlugin.webapps(modules: TomcatPlugin.jmxBeans(modules), managers: TomcatPlugin.jmxBeans(managers))
    #expect(webapps.map(\.key) == ["/", "/crm"], "CRLF answers are split into beans; the root context is /")
    #expect(webapps[1].metrics.value("tomcat_webapp_requests_total") == 5)
    #expect(webapps[1].metrics.value("tomcat_webapp_sessions_active") == 3)
    #expect(webapps[0].metrics.value("tomcat_webapp_sessions_active") == nil)
    let serverXML = """
        <Server port="8005"><!-- <Connector port="9999" protocol="HTTP/1.1"/> -->
        <Service name="Catalina"><Connector port="8080" protocol="HTTP/1.1"/><Connector port="8009" protocol="AJP/1.3"/>
        <Engine name="Catalina"><Host name="localhost" appBase="/srv/apps"/></Engine></Service></Server>
        """
    let config = TomcatPlugin.serverConfig(serverXML)
    #expect(config.httpPorts == [8080], "AJP and commented connectors are not HTTP status ports")
    #expect(config.appBase == "/srv/apps")
    #expect(TomcatPlugin.base(["java", "-Dcatalina.base=/var/lib/tomcat10", "org.apache.catalina.startup.Bootstrap"]) == "/var/lib/tomcat10")
}

@Test func xmlTagsDecodeEntitiesAndSurviveGarbage() {
    let tags = XMLTags("<a x='1 &amp; 2' y=\"&#65;&#x42;&lt;\"/><!-- <b/> --><c>text</c><?pi?><d z='unterminated").tags
    #expect(tags.map(\.name) == ["a", "c", "d"])
    #expect(tags[0].attributes == ["x": "1 & 2", "y": "AB<"])
    var generator = SystemRandomNumberGenerator()
    let alphabet = Array("<>/='\"!-?& abc;#x".utf8)
    for _ in 0..<2000 {
        let bytes = (0..<Int.random(in: 0..<60, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        _ = XMLTags(String(decoding: bytes, as: UTF8.self))
    }
}

@Test func prometheusTextBecomesTypedReadings() throws {
    let text = """
        # HELP http_requests_total Requests.
        # TYPE http_requests_total counter
        http_requests_total{method="get",path="/a \\"quoted\\""} 1027 1395066363000
        http_requests_total{method="post"} 3
        # TYPE latency histogram
        latency_bucket{le="+Inf"} 5
        latency_sum 1.5
        # TYPE temperature gauge
        temperature -Inf
        untyped_total 7
        plain NaN

        """
    let readings = try PrometheusText.parse(text)
    #expect(readings.count == 7)
    #expect(readings[0].metric == "http_requests_total" && readings[0].type == .counter && readings[0].value == 1027)
    #expect(readings[0].labels["path"] == "/a \"quoted\"")
    #expect(readings[2].metric == "latency_bucket" && readings[2].type == .counter && readings[2].labels["le"] == "+Inf")
    #expect(readings[4].type == .gauge && readings[4].value == -.infinity)
    #expect(readings[5].type == .counter, "an untyped _total is a counter")
    #expect(readings[6].value.isNaN && readings[6].type == .gauge)
    #expect(throws: (any Error).self) { try PrometheusText.parse("<html>not metrics</html>") }
    #expect(throws: (any Error).self) { try PrometheusText.parse("metric{label=\"unterminated} 1") }
    #expect(throws: (any Error).self) { try PrometheusText.parse("metric one") }
    #expect(throws: (any Error).self) { try PrometheusText.parse((0..<30).map { "m\($0) 1" }.joined(separator: "\n"), limit: 20) }
}

@Test func kernelSocketAddressesBecomeReadableEndpoints() {
    #expect(SocketTable.endpoint("0100007F:0CEA") == "127.0.0.1:3306")
    #expect(SocketTable.endpoint("0A00020F:1F90") == "15.2.0.10:8080")
    #expect(SocketTable.endpoint("00000000000000000000000001000000:1538") == "[::1]:5432")
    #expect(SocketTable.endpoint("0000000000000000FFFF00000100007F:0CEA") == "127.0.0.1:3306", "IPv4-mapped IPv6 shows as IPv4")
    #expect(SocketTable.endpoint("B80D0120000000000000000001000000:0050") == "[2001:db8::1]:80")
    #expect(SocketTable.endpoint("garbage") == nil)
    #expect(SocketTable.endpoint("ZZZZ:0050") == nil)
}

@Test func processRulesMatchByNameAndCommandLine() {
    let plugin = ProcessRulePlugin(settings: ["process.batch.comm": "java", "process.batch.cmdline": "*crm-batch.jar*",
                                              "process.any-python.comm": "python3*", "process.bad": "x", "redis.password": "p"])
    #expect(plugin.rules.map(\.name) == ["any-python", "batch"])
    func entry(_ name: String, _ arguments: [String]) -> ProcessEntry {
        ProcessEntry(pid: 999_999, ppid: 1, name: name, executable: "/usr/bin/\(name)", arguments: arguments, uid: 0, startTicks: 0,
                     listeningPorts: [])
    }
    let table = ProcessTable(processes: [])
    #expect(plugin.matches(entry("java", ["java", "-jar", "/opt/crm-batch.jar"]), in: table))
    #expect(!plugin.matches(entry("java", ["java", "-jar", "/opt/other.jar"]), in: table), "every pattern of a rule must match")
    #expect(plugin.key(for: entry("python3.11", ["python3.11", "x.py"]), context: PluginContext(fs: HostFS(root: "/"))) == "process:any-python")
    #expect(plugin.mayOwn(processNamed: "java") && !plugin.mayOwn(processNamed: "nginx"))
}

@Test func scriptsRunWithATimeoutAndTheirOutputBecomesReadings() throws {
    let data = try scratchRoot()
    defer { try? FileManager.default.removeItem(atPath: data) }
    func script(_ name: String, _ body: String, mode: Int16 = 0o755) throws {
        try put("#!/bin/sh\n" + body + "\n", data + "/scripts/" + name)
        chmod(data + "/scripts/" + name, mode_t(mode))
    }
    try script("good", "echo '# TYPE crm_queue_depth gauge'; echo 'crm_queue_depth{queue=\"orders\"} 17'")
    try script("slow", "sleep 5")
    try script("fails", "echo 'x 1'; exit 3")
    try script("garbage", "echo '<html>'")
    try script("shared", "echo 'x 1'", mode: 0o777)
    try script("not-executable", "echo 'x 1'", mode: 0o644)
    let runner = ScriptRunner(dataDirectory: data, settings: ["scripts.timeout_ms": "300"])
    let found = runner.scripts()
    #expect(found.runnable.map { ($0 as NSString).lastPathComponent } == ["fails", "garbage", "good", "slow"])
    #expect(found.refused.map { ($0.0 as NSString).lastPathComponent } == ["shared"], "a script others may write is not run")
    let good = runner.run(data + "/scripts/good")
    #expect(good.status == .ok && good.key == "script:good")
    #expect(good.metrics.value("crm_queue_depth", ["queue": "orders"]) == 17)
    for name in ["slow", "fails", "garbage"] {
        let report = runner.run(data + "/scripts/" + name)
        guard case .failed(let reason) = report.status else { Issue.record("\(name) must fail"); continue }
        #expect(!reason.isEmpty)
    }
}

@Test func databaseAndWebStatusInterfacesThatMisbehaveAreReportedNotFatal() throws {
    let context = PluginContext(fs: HostFS(root: "/"), timeoutMs: 300,
                                settings: ["mysql.password": "x", "postgresql.password": "x", "tomcat.password": "x"])
    let greeter = try MisbehavingListener(answer: "\u{7f}ELF garbage that is not a handshake\r\n", greets: true)
    let garbage = try MisbehavingListener(answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
    let silent = try MisbehavingListener(answer: nil)
    func process(_ name: String, _ port: UInt16, _ arguments: [String] = []) -> ProcessEntry {
        ProcessEntry(pid: 1, ppid: 0, name: name, executable: "/usr/sbin/\(name)", arguments: arguments, uid: 0, startTicks: 0,
                     listeningPorts: [port])
    }
    let plugins: [(any ServerPlugin, String, [String])] = [
        (MySQLPlugin(), "mariadbd", []), (PostgresPlugin(), "postgres", []), (ApachePlugin(), "apache2", []),
        (TomcatPlugin(), "java", ["java", "-Dcatalina.base=/nonexistent", "org.apache.catalina.startup.Bootstrap"]),
        (PrometheusPlugin(settings: [:]), "node_exporter", []),
    ]
    for (plugin, name, arguments) in plugins {
        for (what, port) in [("greeting garbage", greeter.port), ("HTTP garbage", garbage.port), ("hang", silent.port), ("refused", UInt16(1))] {
            let report = plugin.inspect(process(name, port, arguments), context: context)
            guard case .failed(let reason) = report.status else { Issue.record("\(plugin.type) on \(what) must fail"); continue }
            #expect(!reason.isEmpty)
            #expect(!reason.contains("x\u{0}") && !reason.contains("password=x"), "no credential in the reason: \(reason)")
        }
    }
}

@Test func nginxConfigIncludesAndLogFilesAreFollowed() throws {
    let root = try scratchRoot()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try put("error_log /var/log/nginx/error.log;\nhttp {\n  access_log /var/log/nginx/access.log;\n  include conf.d/*.conf;\n}\n",
            root + "/etc/nginx/nginx.conf")
    try put("server { listen 81; access_log off; access_log logs/crm.log; location /st { stub_status; } }\n",
            root + "/etc/nginx/conf.d/crm.conf")
    let config = NginxPlugin.readConfig("/etc/nginx/nginx.conf", fs: HostFS(root: root))
    #expect(config.files == ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/crm.conf"])
    #expect(config.logFiles == ["/var/log/nginx/error.log", "/var/log/nginx/access.log", "/etc/nginx/logs/crm.log"])
    #expect(config.texts.compactMap(NginxPlugin.statusLocation).first == "/st", "stub_status is found in an included file")
}

@Test func everyServerDeclaresItsControlActions() throws {
    #expect(NginxPlugin().controlActions.map(\.name) == ["reload", "reopen-logs", "graceful-stop"])
    #expect(NginxPlugin().controlActions.first?.method == .signal(SIGHUP))
    #expect(ApachePlugin().controlActions.first { $0.name == "graceful" }?.method == .signal(SIGUSR1))
    #expect(PostgresPlugin().controlActions.first { $0.name == "reload" }?.method == .signal(SIGHUP))
    #expect(ProcessRulePlugin(settings: [:]).controlActions.map(\.name) == ["freeze", "thaw", "terminate"])
    // Discovery reports them as the server's `actions` property.
    let sleeper = Process()
    sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
    sleeper.arguments = ["31.5"]
    try sleeper.run()
    defer { kill(sleeper.processIdentifier, SIGKILL) }
    var discovery = ServerDiscovery(fs: HostFS(root: "/"), settings: ["process.sleeper.cmdline": "*sleep 31.5"])
    let found = discovery.collect(refresh: true).servers.first { $0.key == "process:sleeper" }
    #expect(found?.properties.first { $0.key == "actions" }?.value == .list(["freeze", "thaw", "terminate", "start", "restart"].map { .string($0) }))
}
