import Foundation
import Testing

/// Prometheus rule files with a real server: a real Prometheus 2.42 scrapes a file-backed target and remote-writes to
/// Strata; a rule file in `DATA/rules` (written before the server starts, evaluated every second) records a series
/// PromQL reads back and raises an alert that fires at a loopback webhook once its `for` has passed and resolves when the
/// scraped value drops.
@Suite(.serialized) struct RuleFilesEndToEndTests {
    @Test func aRecordingRuleIsQueryableAndAnAlertingRuleFiresAfterItsForAndResolves() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") else {
            Issue.record("prometheus 2.42 is missing: make test installs it (scripts/install-deps.sh)")
            return
        }
        let bed = try Testbed("rule-files")
        let (hook, hookPort, hookLog) = try AlertingEndToEndTests.startReceiver(bed)
        defer { hook.killTree() }
        let rules = bed.directory + "/server/rules"
        try FileManager.default.createDirectory(atPath: rules, withIntermediateDirectories: true)
        try WebStack.write("""
            groups:
              - name: temperature
                interval: 1s
                rules:
                  - record: job:demo_temperature:max
                    expr: max by (job) (demo_temperature)
                  - alert: TooHot
                    expr: demo_temperature > 80
                    for: 3s
                    labels: {severity: critical}
                    annotations: {summary: "{{ $labels.instance }} at {{ $value }} degrees"}
            """, to: rules + "/temperature.yml")
        try WebStack.write(#"[{"type": "webhook", "url": "http://127.0.0.1:\#(hookPort)/hook", "secret": "hook-secret"}]"#, to: rules + "/notify.json")
        let check = try runTool("/usr/bin/promtool", ["check", "rules", rules + "/temperature.yml"])
        #expect(check.status == 0, "promtool accepts the file Strata loads: \(check.output)")
        let server = try bed.startServer()
        defer { server.terminate() }

        // The scrape target: a file served by Python's http.server, its value changed by the test.
        let target = bed.directory + "/target"
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        try WebStack.write("demo_temperature 90\n", to: target + "/metrics")
        let targetPort = try Testbed.freePort()
        let exporter = try StrataProcess(executable: "/usr/bin/python3", ["-m", "http.server", String(targetPort), "--bind", "127.0.0.1",
                                                                          "--directory", target], logPath: bed.directory + "/target.log")
        defer { exporter.killTree() }
        let promPort = try Testbed.freePort()
        let prometheus = try bed.startPrometheus(port: promPort, job: "demo", targets: ["127.0.0.1:\(targetPort)"])
        defer { prometheus.killTree() }

        func query(_ expr: String) throws -> [[String: Any]] {
            let encoded = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expr
            return ((try bed.get("/prometheus/api/v1/query?query=\(encoded)") as? [String: Any])?["result"] as? [[String: Any]]) ?? []
        }
        try waitUntil("the recorded series, queryable", timeout: 60) {
            try query("job:demo_temperature:max").contains { ($0["metric"] as? [String: String])?["job"] == "demo" && ($0["value"] as? [Any])?[1] as? String == "90" }
        }
        try waitUntil("a firing notification for TooHot", timeout: 60) {
            AlertingEndToEndTests.received(hookLog).contains { $0["status"] as? String == "firing" }
        }
        let firing = try #require(AlertingEndToEndTests.received(hookLog).first)
        #expect(firing["valid"] as? Bool == true)
        let labels = firing["labels"] as? [String: String] ?? [:]
        #expect(labels["alertname"] == "TooHot" && labels["severity"] == "critical" && labels["job"] == "demo"
                    && labels["instance"] == "127.0.0.1:\(targetPort)", "\(labels)")
        #expect((firing["annotations"] as? [String: String])?["summary"] == "127.0.0.1:\(targetPort) at 90 degrees")
        let alerts = try bed.get("/prometheus/api/v1/alerts") as? [String: Any] ?? [:]
        #expect((alerts["alerts"] as? [[String: Any]])?.first?["state"] as? String == "firing")

        try WebStack.write("demo_temperature 20\n", to: target + "/metrics")
        try waitUntil("a resolved notification for TooHot", timeout: 60) {
            AlertingEndToEndTests.received(hookLog).contains { $0["status"] as? String == "resolved" }
        }
        #expect(AlertingEndToEndTests.received(hookLog).map { $0["status"] as? String ?? "" } == ["firing", "resolved"])
        let alertID = try #require(firing["alertId"] as? String)
        let history = try bed.get("/api/v1/alerts/\(alertID)/history") as? [[String: Any]] ?? []
        #expect(history.map { "\($0["from"] ?? "")→\($0["to"] ?? "")" } == ["inactive→pending", "pending→firing", "firing→resolved"],
                "pending for the rule's for, then firing, then resolved")
    }
}
