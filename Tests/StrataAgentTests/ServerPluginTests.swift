import Foundation
import StrataCore
import Testing
@testable import StrataAgent

@Test func redisInfoBecomesMetricsAndKeyspaceServices() throws {
    let info = "# Server\r\nredis_version:7.0.15\r\nredis_mode:standalone\r\n# Clients\r\nconnected_clients:3\r\n" +
        "total_commands_processed:42\r\nkeyspace_hits:5\r\n# Keyspace\r\ndb0:keys=12,expires=2,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n"
    let bulk = Array("$\(info.utf8.count)\r\n\(info)\r\n".utf8)
    let replies = try RESPReader.replies(bulk, count: 1)
    guard case .bulk(let text) = replies[0] else { Issue.record("expected a bulk reply"); return }
    var fields: [String: String] = [:]
    for line in text.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) where !line.hasPrefix("#") {
        let parts = line.split(separator: ":", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
    }
    var report = ServerReport(key: "redis:6379", name: "redis :6379")
    RedisPlugin.apply(fields, to: &report)
    #expect(report.properties.contains { $0.key == "version" && $0.value == .string("7.0.15") })
    #expect(report.metrics.value("redis_connected_clients") == 3)
    #expect(report.metrics.value("redis_commands_processed_total") == 42)
    #expect(report.services.map(\.key) == ["db0", "db3"])
    #expect(report.services.first?.metrics.value("redis_keyspace_keys") == 12)
    #expect(report.services.first?.metrics.value("redis_keyspace_expiring_keys") == 2)
}

@Test func respReaderRefusesIncompleteAndForeignAnswersWithoutTrapping() throws {
    #expect(throws: (any Error).self) { try RESPReader.replies(Array("$10\r\nabc".utf8), count: 1) }
    #expect(throws: (any Error).self) { try RESPReader.replies(Array("HTTP/1.1 200 OK\r\n".utf8), count: 1) }
    #expect(throws: (any Error).self) { try RESPReader.replies(Array("$-99999999999999999999\r\n".utf8), count: 1) }
    #expect(throws: (any Error).self) { try RESPReader.replies([], count: 1) }
    #expect(throws: (any Error).self, "an empty line after a reply (found by fuzz-server-status)") {
        try RESPReader.replies(Array("$3\r\nabc\r\n\r\nmore".utf8), count: 2)
    }
    #expect(try RESPReader.replies(Array("-NOAUTH Authentication required.\r\n".utf8), count: 1) == [.error("NOAUTH Authentication required.")])
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
        let bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        _ = try? RESPReader.replies(bytes, count: 2)
    }
}

@Test func nginxStubStatusLocationAndConfigFileAreRead() {
    let page = "Active connections: 2 \nserver accepts handled requests\n 10 9 31 \nReading: 0 Writing: 1 Waiting: 1 \n"
    #expect(NginxPlugin.parseStatus(page) == NginxPlugin.Status(active: 2, accepted: 10, handled: 9, requests: 31, reading: 0,
                                                                writing: 1, waiting: 1))
    #expect(NginxPlugin.parseStatus("<html>not the status page</html>") == nil)
    #expect(NginxPlugin.parseStatus("Active connections: x\n\n\n") == nil)
    let config = """
        server {
            listen 8080;
            # location /commented { stub_status; }
            location = /basic_status {
                stub_status;
            }
            location /other { return 200; }
        }
        """
    #expect(NginxPlugin.statusLocation(config) == "/basic_status")
    #expect(NginxPlugin.statusLocation("location /s { stub_status; }") == "/s")
    #expect(NginxPlugin.statusLocation("server { listen 80; }") == nil)
    #expect(NginxPlugin.configFile(["nginx: master process /usr/sbin/nginx -c /srv/nginx.conf -g daemon off;"]) == "/srv/nginx.conf")
    #expect(NginxPlugin.configFile(["nginx: master process /usr/sbin/nginx"]) == "/etc/nginx/nginx.conf")
}

/// A loopback listener that accepts connections and answers each with `answer` (or nothing), for status
/// interfaces that misbehave.
final class MisbehavingListener: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    /// Answers each connection with `answer` after its first bytes, or at once when `greets` (as a MySQL
    /// server speaks first).
    init(answer: String?, greets: Bool = false) throws {
        (fd, port) = Loopback.listen(backlog: 8)
        guard let answer else { return }
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                if !greets { _ = recv(client, &buffer, buffer.count, 0) }
                _ = answer.withCString { send(client, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                close(client)
            }
        }
    }

    deinit { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

@Test func statusInterfacesThatRefuseHangOrAnswerGarbageAreReportedNotFatal() throws {
    let context = PluginContext(fs: HostFS(root: "/"), timeoutMs: 300)
    func redis(on port: UInt16) -> ProcessEntry {
        ProcessEntry(pid: 1, ppid: 0, name: "redis-server", executable: "/usr/bin/redis-server", arguments: [], uid: 0, startTicks: 0,
                     listeningPorts: [port])
    }
    let garbage = try MisbehavingListener(answer: "\u{7f}ELF garbage that is not RESP\r\n")
    let silent = try MisbehavingListener(answer: nil)
    for (what, port) in [("garbage", garbage.port), ("hang", silent.port), ("refused", UInt16(1))] {
        let report = RedisPlugin().inspect(redis(on: port), context: context)
        guard case .failed(let reason) = report.status else { Issue.record("\(what) must fail"); continue }
        #expect(!reason.isEmpty, "\(what): \(reason)")
        #expect(report.metrics.readings.isEmpty, "\(what): no made-up metrics")
    }
    let nginx = ProcessEntry(pid: 1, ppid: 0, name: "nginx", executable: "/usr/sbin/nginx", arguments: ["nginx: master process nginx"],
                             uid: 0, startTicks: 0, listeningPorts: [garbage.port, silent.port])
    let report = NginxPlugin().inspect(nginx, context: context)
    if case .ok = report.status { Issue.record("garbage and silence are no stub_status") }
}

/// Issue 17: an exporter a Prometheus already remote-writes was stored twice; `prometheus.skip_ports` leaves it alone.
@Test func exportersOnSkippedPortsAreNotScraped() {
    func exporter(_ port: UInt16) -> ProcessEntry {
        ProcessEntry(pid: 1, ppid: 0, name: "node_exporter", executable: "/usr/bin/node_exporter", arguments: [], uid: 0, startTicks: 0,
                     listeningPorts: [port])
    }
    let table = ProcessTable(processes: [exporter(9100), exporter(9256)])
    let plugin = PrometheusPlugin(settings: ["prometheus.skip_ports": "9100, 9999"])
    #expect(!plugin.matches(exporter(9100), in: table))
    #expect(plugin.matches(exporter(9256), in: table))
    #expect(PrometheusPlugin(settings: [:]).matches(exporter(9100), in: table))
}
