import Foundation
import Testing

/// Real redis-server and nginx on loopback ports with their own files, found by the real agent.
/// They are stopped with SIGKILL: children of the test runner inherit its blocked SIGTERM.
@Suite(.serialized) struct ServerDiscoveryTests {
    /// Starts `redis-server` on `port` with no persistence.
    static func startRedis(_ bed: Testbed, port: Int) throws -> StrataProcess {
        try StrataProcess(executable: "/usr/bin/redis-server",
                          ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", bed.directory],
                          logPath: bed.directory + "/redis.log")
    }

    /// An nginx configuration with its files in the bed, serving stub_status on `port`; `serverLines` go into
    /// its server block.
    static func nginxConfig(_ bed: Testbed, port: Int, connections: Int = 64, serverLines: String = "") -> String {
        """
        pid \(bed.directory)/nginx.pid;
        error_log \(bed.directory)/nginx-error.log;
        events { worker_connections \(connections); }
        http {
            access_log off;
            client_body_temp_path \(bed.directory)/nginx-body;
            proxy_temp_path \(bed.directory)/nginx-proxy;
            fastcgi_temp_path \(bed.directory)/nginx-fastcgi;
            uwsgi_temp_path \(bed.directory)/nginx-uwsgi;
            scgi_temp_path \(bed.directory)/nginx-scgi;
            server {
                listen 127.0.0.1:\(port);
        \(serverLines)        location /basic_status { stub_status; }
                location / { return 200 "hello\\n"; }
            }
        }

        """
    }

    /// Starts nginx in the foreground with `config` (by default `nginxConfig`) at `bed/nginx.conf`.
    static func startNginx(_ bed: Testbed, port: Int, config: String? = nil) throws -> StrataProcess {
        try (config ?? nginxConfig(bed, port: port)).write(toFile: bed.directory + "/nginx.conf", atomically: true, encoding: .utf8)
        return try StrataProcess(executable: "/usr/sbin/nginx", ["-c", bed.directory + "/nginx.conf", "-g", "daemon off;"],
                                 logPath: bed.directory + "/nginx.log")
    }

    @Test func redisAndNginxAreFoundWithVersionsServicesAndMovingCounters() throws {
        let bed = try Testbed("servers")
        let server = try bed.startServer()
        defer { server.terminate() }
        let redisPort = try Testbed.freePort()
        var redis = try Self.startRedis(bed, port: redisPort)
        defer { redis.killTree() }
        let nginxPort = try Testbed.freePort()
        let nginx = try Self.startNginx(bed, port: nginxPort)
        defer { nginx.killTree() }
        try waitUntil("redis accepting commands", timeout: 10) {
            try runTool("/usr/bin/redis-cli", ["-p", String(redisPort), "PING"]).output.contains("PONG")
        }
        let set = try runTool("/usr/bin/redis-cli", ["-p", String(redisPort), "SET", "greeting", "hello"])
        #expect(set.output.contains("OK"))
        let agent = try bed.startAgent()
        defer { agent.terminate() }

        func servers() throws -> [[String: Any]] { try bed.get("/api/v1/resources?kind=server") as? [[String: Any]] ?? [] }
        func named(_ prefix: String) throws -> [String: Any]? { try servers().first { ($0["name"] as? String)?.hasPrefix(prefix) == true } }
        // Properties come with the first status answer (re-sent when they change; under load an early one may time out).
        func version(_ prefix: String) throws -> String? {
            (try named(prefix)?["properties"] as? [String: Any])?["version"] as? String
        }
        try waitUntil("redis and nginx in the inventory with their versions", timeout: 30) {
            try version("redis :\(redisPort)") != nil && version("nginx \(bed.directory)") != nil
        }
        let redisResource = try #require(try named("redis :\(redisPort)"))
        let redisProperties = redisResource["properties"] as? [String: Any] ?? [:]
        #expect((redisProperties["version"] as? String)?.hasPrefix("7.") == true, "redis version from INFO: \(redisProperties)")
        #expect(redisProperties["ports"] as? [Int] == [redisPort])
        let platform = try #require(try bed.platforms().first?["id"] as? String)
        #expect(redisResource["parentId"] as? String == platform, "servers hang below their platform")
        let redisID = try #require(redisResource["id"] as? String)
        // The keyspace arrives with the first INFO that answers (under load an early one may time out).
        try waitUntil("the db0 keyspace as a service of redis", timeout: 20) {
            (try bed.get("/api/v1/resources?parent=\(redisID)") as? [[String: Any]] ?? []).map { $0["name"] as? String } == ["db0"]
        }

        let nginxResource = try #require(try named("nginx \(bed.directory)"))
        let nginxProperties = nginxResource["properties"] as? [String: Any] ?? [:]
        #expect((nginxProperties["version"] as? String)?.hasPrefix("1.") == true, "nginx version from the Server header: \(nginxProperties)")
        #expect(nginxProperties["status_url"] as? String == "http://127.0.0.1:\(nginxPort)/basic_status", "stub_status location read from the config")
        let nginxID = try #require(nginxResource["id"] as? String)

        // Counters move with load.
        func last(_ resource: String, _ metric: String) throws -> Double {
            try bed.samples(platformID: resource, metric: metric).last?.1 ?? -1
        }
        try waitUntil("nginx requests counted", timeout: 20) { try last(nginxID, "nginx_requests_total") > 0 }
        let before = try last(nginxID, "nginx_requests_total")
        for _ in 0..<20 { _ = try curl(["-o", "/dev/null", "http://127.0.0.1:\(nginxPort)/"]) }
        try waitUntil("nginx_requests_total up by the 20 requests", timeout: 20) { try last(nginxID, "nginx_requests_total") >= before + 20 }
        let commands = try last(redisID, "redis_commands_processed_total")
        for index in 0..<10 { _ = try runTool("/usr/bin/redis-cli", ["-p", String(redisPort), "SET", "k\(index)", "v"]) }
        try waitUntil("redis commands counted", timeout: 20) { try last(redisID, "redis_commands_processed_total") >= commands + 10 }
        #expect(try last(redisID, "process_resident_memory_bytes") > 0, "every server gets process metrics")

        // Stopped: down within two intervals (1 s); restarted: the same resource, up again, history kept.
        redis.killTree()
        try waitUntil("redis marked down", timeout: 10) { try named("redis :\(redisPort)")?["availability"] as? String == "down" }
        // Issue 17: its keyspace stayed up while redis was down; availability flows down the stack now.
        let keyspace = try bed.get("/api/v1/resources?parent=\(redisID)") as? [[String: Any]] ?? []
        #expect(!keyspace.isEmpty && keyspace.allSatisfy { $0["availability"] as? String != "up" }, "a service of a stopped server is not up: \(keyspace)")
        redis = try Self.startRedis(bed, port: redisPort)
        try waitUntil("redis up again", timeout: 20) { try named("redis :\(redisPort)")?["availability"] as? String == "up" }
        #expect(try named("redis :\(redisPort)")?["id"] as? String == redisID, "identity survives the restart")
        let events = try bed.get("/api/v1/events?resource=\(redisID)&kind=availability") as? [[String: Any]] ?? []
        #expect(events.count >= 2)
    }

    @Test func exportersAreScrapedAndScriptsRunAsServers() throws {
        let bed = try Testbed("exporters")
        let server = try bed.startServer()
        defer { server.terminate() }
        let port = try Testbed.freePort()
        let exporter = try StrataProcess(executable: "/usr/bin/prometheus-node-exporter",
                                         ["--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.loadavg"],
                                         logPath: bed.directory + "/exporter.log")
        defer { exporter.killTree() }
        try WebStack.write("#!/bin/sh\necho '# TYPE crm_queue_depth gauge'\necho 'crm_queue_depth{queue=\"orders\"} 17'\n",
                           to: bed.directory + "/agent/scripts/crm-queue")
        chmod(bed.directory + "/agent/scripts/crm-queue", 0o755)
        try WebStack.write("#!/bin/sh\nsleep 30\n", to: bed.directory + "/agent/scripts/stuck")
        chmod(bed.directory + "/agent/scripts/stuck", 0o755)
        try WebStack.write("scripts.timeout_ms = 300\n", to: bed.directory + "/agent/plugins.conf")
        chmod(bed.directory + "/agent/plugins.conf", 0o600)
        let agent = try bed.startAgent()
        defer { agent.terminate() }

        func resource(_ name: String) throws -> [String: Any]? {
            (try bed.get("/api/v1/resources?kind=server") as? [[String: Any]] ?? []).first { $0["name"] as? String == name }
        }
        try waitUntil("the exporter, the script and the stuck script as servers", timeout: 30) {
            try resource("prometheus-node :\(port)") != nil && resource("script crm-queue") != nil && resource("script stuck") != nil
        }
        let exporterID = try #require(try resource("prometheus-node :\(port)")?["id"] as? String)
        try waitUntil("node_load1 scraped into the exporter's resource", timeout: 20) {
            try !bed.samples(platformID: exporterID, metric: "node_load1").isEmpty
        }
        #expect(try bed.samples(platformID: exporterID, metric: "process_resident_memory_bytes").last?.1 ?? 0 > 0)
        let scriptID = try #require(try resource("script crm-queue")?["id"] as? String)
        try waitUntil("the script's reading", timeout: 20) {
            try bed.samples(platformID: scriptID, metric: "crm_queue_depth", labels: ["queue": "orders"]).last?.1 == 17
        }
        try waitUntil("the stuck script down", timeout: 20) { try resource("script stuck")?["availability"] as? String == "down" }
        #expect(try resource("script crm-queue")?["availability"] as? String == "up", "one stuck script does not stop the others")
    }
}
