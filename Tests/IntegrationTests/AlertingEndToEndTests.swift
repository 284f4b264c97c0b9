import Foundation
import Testing

/// Alerting with a real server, agent and nginx: a YAML definition for every nginx, written before nginx starts,
/// fires when nginx stops and resolves when it runs again; a killed agent raises one platform alert and nothing for
/// the servers beneath it; a webhook receiver on loopback checks each signature.
@Suite(.serialized) struct AlertingEndToEndTests {
    /// A webhook receiver (Python's http.server) that checks `X-Strata-Signature` and appends one JSON line per request.
    static let receiver = #"""
        import hashlib, hmac, http.server, json, sys
        port, secret, out = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("X-Strata-Timestamp", "")
                expected = "sha256=" + hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                note = json.loads(body)
                note["valid"] = hmac.compare_digest(expected, self.headers.get("X-Strata-Signature", ""))
                note["delivery"] = self.headers.get("X-Strata-Delivery")
                with open(out, "a") as f: f.write(json.dumps(note) + "\n")
                self.send_response(204); self.end_headers()
            def log_message(self, *args): pass
        http.server.HTTPServer(("127.0.0.1", port), Hook).serve_forever()
        """#

    /// The receiver running for `bed` on a free port: its process, the port and the file it appends to.
    static func startReceiver(_ bed: Testbed) throws -> (process: StrataProcess, port: Int, log: String) {
        let port = try Testbed.freePort()
        let log = bed.directory + "/hook.jsonl"
        try receiver.write(toFile: bed.directory + "/hook.py", atomically: true, encoding: .utf8)
        let process = try StrataProcess(executable: "/usr/bin/python3", [bed.directory + "/hook.py", String(port), "hook-secret", log],
                                        logPath: bed.directory + "/hook.log")
        return (process, port, log)
    }

    static func received(_ path: String) -> [[String: Any]] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func everyNginxIsWatchedAStoppedOneFiresAndResolvesAndADeadAgentIsOneAlert() throws {
        let bed = try Testbed("alerting")
        let (hook, hookPort, hookLog) = try Self.startReceiver(bed)
        defer { hook.killTree() }
        // The definitions exist before any nginx does.
        try FileManager.default.createDirectory(atPath: bed.directory + "/server/alerts", withIntermediateDirectories: true)
        try """
            definitions:
              - name: nginx-down
                scope: {serverType: nginx}
                condition: {type: availability, problem: down}
                severity: critical
                annotations: {summary: "{{ .resource.name }} is down"}
                notify: [{type: webhook, url: "http://127.0.0.1:\(hookPort)/hook", secret: hook-secret}]
              - name: agent-silent
                scope: {kind: platform}
                condition: {type: availability, problem: agent-silent}
                notify: [{type: webhook, url: "http://127.0.0.1:\(hookPort)/hook", secret: hook-secret}]
            """.write(toFile: bed.directory + "/server/alerts/web.yaml", atomically: true, encoding: .utf8)
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the definitions loaded from the file", timeout: 20) {
            (try bed.get("/api/v1/alert-definitions") as? [[String: Any]] ?? []).count == 2
        }
        let port = try Testbed.freePort()
        var nginx = try ServerDiscoveryTests.startNginx(bed, port: port)
        defer { nginx.killTree() }
        let name = "nginx \(bed.directory)/nginx.conf"
        var nginxID = ""
        try waitUntil("nginx up in the inventory", timeout: 60) {
            let servers = try bed.get("/api/v1/resources?kind=server&limit=1000") as? [[String: Any]] ?? []
            let found = servers.first { $0["name"] as? String == name }
            nginxID = found?["id"] as? String ?? ""
            return found?["availability"] as? String == "up"
        }

        nginx.killTree()
        try waitUntil("a firing notification for nginx", timeout: 60) {
            Self.received(hookLog).contains { $0["status"] as? String == "firing" && $0["resourceId"] as? String == nginxID }
        }
        nginx = try ServerDiscoveryTests.startNginx(bed, port: port)
        try waitUntil("a resolved notification for nginx", timeout: 60) {
            Self.received(hookLog).contains { $0["status"] as? String == "resolved" && $0["resourceId"] as? String == nginxID }
        }
        let forNginx = Self.received(hookLog).filter { $0["resourceId"] as? String == nginxID }
        #expect(forNginx.map { $0["status"] as? String ?? "" } == ["firing", "resolved"])
        #expect(forNginx.allSatisfy { $0["valid"] as? Bool == true }, "every signature checks out: \(forNginx)")
        #expect((forNginx.first?["annotations"] as? [String: String])?["summary"] == "\(name) is down")
        let alerts = try bed.get("/api/v1/alerts?resource=\(nginxID)") as? [[String: Any]] ?? []
        #expect(alerts.first?["state"] as? String == "resolved")

        // The agent dies: its platform's alert fires once, and nothing is told about the servers beneath it. (Counted
        // from here: this bed's agent also watches the nginx of other tests running on the host, told about earlier.)
        let toldBefore = Self.received(hookLog).count
        agent.kill9()
        try waitUntil("a firing notification for the platform", timeout: 60) {
            Self.received(hookLog).contains { $0["status"] as? String == "firing" && $0["resourceKind"] as? String == "platform" }
        }
        Thread.sleep(forTimeInterval: 3)
        let afterDeath = Self.received(hookLog).dropFirst(toldBefore)
        #expect(afterDeath.count == 1, "one notification after the agent died: \(Array(afterDeath))")
    }

    @Test func aNotificationStoredBeforeAKillNineIsDeliveredOnceAfterTheRestart() throws {
        let bed = try Testbed("alerting-crash")
        let hookPort = try Testbed.freePort()
        let hookLog = bed.directory + "/hook.jsonl"
        try Self.receiver.write(toFile: bed.directory + "/hook.py", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: bed.directory + "/server/alerts", withIntermediateDirectories: true)
        try """
            name: agent-reports
            scope: {kind: platform}
            condition: {type: threshold, metric: boot_time_seconds, op: ">", threshold: 0}
            notify: [{type: webhook, url: "http://127.0.0.1:\(hookPort)/hook", secret: hook-secret}]
            """.write(toFile: bed.directory + "/server/alerts/up.yaml", atomically: true, encoding: .utf8)
        var server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        // Nothing listens on the webhook's port yet: the firing notification is stored and its delivery fails.
        var alertID = ""
        try waitUntil("the alert firing with a failed delivery attempt", timeout: 60) {
            guard let alert = (try bed.get("/api/v1/alerts?state=firing") as? [[String: Any]])?.first,
                  let id = alert["id"] as? String else { return false }
            alertID = id
            let deliveries = try bed.get("/api/v1/alerts/\(id)/notifications") as? [[String: Any]] ?? []
            return deliveries.count == 1 && (deliveries.first?["attempts"] as? Int ?? 0) >= 1
                && deliveries.first?["status"] as? String == "pending"
        }
        server.kill9()
        let hook = try StrataProcess(executable: "/usr/bin/python3", [bed.directory + "/hook.py", String(hookPort), "hook-secret", hookLog],
                                     logPath: bed.directory + "/hook.log")
        defer { hook.killTree() }
        server = try bed.startServer()
        try waitUntil("the notification delivered after the restart", timeout: 60) { !Self.received(hookLog).isEmpty }
        Thread.sleep(forTimeInterval: 3)
        let received = Self.received(hookLog)
        #expect(received.count == 1, "exactly one delivery: \(received)")
        #expect(received.first?["status"] as? String == "firing" && received.first?["valid"] as? Bool == true)
        let deliveries = try bed.get("/api/v1/alerts/\(alertID)/notifications") as? [[String: Any]] ?? []
        #expect(deliveries.map { $0["status"] as? String } == ["delivered"])
        let history = try bed.get("/api/v1/alerts/\(alertID)/history") as? [[String: Any]] ?? []
        #expect(history.filter { $0["to"] as? String == "firing" }.count == 1, "the restart did not fire it again")
    }
}
