import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Testing
@testable import StrataServer

/// Prometheus rule files in `DATA/rules` evaluated by a real server's rule engine, with evaluation times chosen by the
/// test: recording rules write series PromQL reads back (the next rule of a group sees them), alerting rules go through
/// pending (`for`) to firing and resolved, notify the tenant's webhook and show in `/prometheus/api/v1/rules` and
/// `/alerts`; a refused file keeps its previous rules.
@Suite struct RuleEvaluationTests {
    static func service(_ harness: ServerHarness) -> RuleService {
        RuleService(engine: harness.server.rules, catalog: harness.server.catalog,
                    directory: harness.server.configuration.dataDirectory + "/rules", logger: Logger(label: "rules"), clock: { 0 })
    }

    static func writeRules(_ harness: ServerHarness, _ name: String, _ text: String) throws {
        let directory = harness.server.configuration.dataDirectory + "/rules"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
    }

    static func query(_ client: any TestClientProtocol, _ expr: String, at ms: Int64) async throws -> [[String: Any]] {
        let encoded = expr.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expr
        let response = try await client.execute(uri: "/prometheus/api/v1/query?query=\(encoded)&time=\(Double(ms) / 1000)", method: .get,
                                                headers: ServerHarness.adminBasic)
        return ((response.data as? [String: Any])?["result"] as? [[String: Any]]) ?? []
    }

    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> [String: Any] {
        try await client.execute(uri: uri, method: .get, headers: ServerHarness.adminBasic).data as? [String: Any] ?? [:]
    }

    @Test func recordingRulesWriteSeriesThatQueriesAndTheNextRuleOfTheGroupRead() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let start = (Time.nowMs() / 60_000 - 10) * 60_000
            let series: [(labels: [(String, String)], samples: [(Int64, Double)])] = [
                ([("__name__", "http_requests"), ("job", "web"), ("instance", "a")], [(start - 1_000, 3)]),
                ([("__name__", "http_requests"), ("job", "web"), ("instance", "b")], [(start - 1_000, 4)]),
                ([("__name__", "http_requests"), ("job", "db"), ("instance", "c")], [(start - 1_000, 10)]),
            ]
            try await RemoteWriteInventoryTests.write(client, series)
            try Self.writeRules(harness, "web.yml", """
                groups:
                  - name: web
                    rules:
                      - record: job:http_requests:sum
                        expr: sum by (job) (http_requests)
                        labels: {source: rules}
                      - record: job:http_requests:doubled
                        expr: job:http_requests:sum * 2
                """)
            await Self.service(harness).load()
            await harness.server.rules.evaluateDue(nowMs: start)
            let summed = try await Self.query(client, "job:http_requests:sum", at: start)
            let values = Dictionary(uniqueKeysWithValues: summed.map { (($0["metric"] as? [String: String])?["job"] ?? "", ($0["value"] as? [Any])?[1] as? String ?? "") })
            #expect(values == ["web": "7", "db": "10"])
            #expect(summed.allSatisfy { ($0["metric"] as? [String: String])?["source"] == "rules" })
            // Same evaluation timestamp: the second rule read the first one's output.
            let doubled = try await Self.query(client, "job:http_requests:doubled{job=\"web\"}", at: start)
            #expect((doubled.first?["value"] as? [Any])?[1] as? String == "14")
            let rules = try await Self.get(client, "/prometheus/api/v1/rules")
            let group = try #require((rules["groups"] as? [[String: Any]])?.first)
            #expect(group["name"] as? String == "web" && group["interval"] as? Double == 60)
            let listed = group["rules"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["type"] as? String } == ["recording", "recording"])
            #expect(listed.allSatisfy { $0["health"] as? String == "ok" }, "\(listed)")
        }
    }

    @Test func anAlertingRuleIsPendingForItsForThenFiresNotifiesAndResolves() async throws {
        let receiver = WebhookReceiver()
        try await receiver.start()
        let harness = try ServerHarness()
        let notifications = Task {
            var service = NotificationService(catalog: harness.server.catalog, logger: Logger(label: "notify"), timeout: .seconds(60))
            service.pollInterval = .milliseconds(20)
            try? await ServiceGroup(configuration: .init(services: [service], logger: Logger(label: "notify-group"))).run()
        }
        defer { notifications.cancel() }
        try await harness.test { client in
            let start = (Time.nowMs() / 60_000 - 10) * 60_000
            let labels = [("__name__", "node_load1"), ("job", "node"), ("instance", "web-1:9100")]
            try await RemoteWriteInventoryTests.write(client, [(labels, [(start - 1_000, 7.5), (start + 59_000, 8), (start + 119_000, 1)])])
            try Self.writeRules(harness, "notify.json", #"[{"type": "webhook", "url": "\#(receiver.url)"}]"#)
            try Self.writeRules(harness, "node.yml", """
                groups:
                  - name: node
                    rules:
                      - alert: LoadHigh
                        expr: node_load1 > 5
                        for: 1m
                        labels: {severity: critical, team: "{{ $labels.job }}-ops"}
                        annotations: {summary: "load {{ $value }} on {{ $labels.instance }}"}
                """)
            let rules = harness.server.rules
            await Self.service(harness).load()
            await rules.evaluateDue(nowMs: start)
            var alerts = try await Self.get(client, "/prometheus/api/v1/alerts")["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.map { $0["state"] as? String } == ["pending"])
            #expect(receiver.received.withLock { $0.isEmpty }, "nobody is told of a pending alert")
            await rules.evaluateDue(nowMs: start + 60_000)
            let firing = try #require(try await receiver.wait { $0.json["status"] as? String == "firing" })
            let told = firing.json
            #expect(told["labels"] as? [String: String] == ["alertname": "LoadHigh", "severity": "critical", "team": "node-ops", "job": "node",
                                                             "instance": "web-1:9100"])
            #expect((told["annotations"] as? [String: String])?["summary"] == "load 8 on web-1:9100")
            alerts = try await Self.get(client, "/prometheus/api/v1/alerts")["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.first?["state"] as? String == "firing" && alerts.first?["value"] as? String == "8e+00")
            // The pending series ended with a staleness marker when the alert fired, as Prometheus writes it.
            let alertSeries = try await Self.query(client, "ALERTS", at: start + 60_000)
            #expect(alertSeries.map { ($0["metric"] as? [String: String])?["alertstate"] } == ["firing"])
            let listed = try await Self.get(client, "/prometheus/api/v1/rules?type=alert")
            let rule = try #require(((listed["groups"] as? [[String: Any]])?.first?["rules"] as? [[String: Any]])?.first)
            #expect(rule["state"] as? String == "firing" && rule["duration"] as? Double == 60 && rule["type"] as? String == "alerting")
            await rules.evaluateDue(nowMs: start + 120_000)
            let resolved = try #require(try await receiver.wait { $0.json["status"] as? String == "resolved" })
            #expect(resolved.json["labels"] as? [String: String] == told["labels"] as? [String: String])
            alerts = try await Self.get(client, "/prometheus/api/v1/alerts")["alerts"] as? [[String: Any]] ?? []
            #expect(alerts.isEmpty)
        }
    }

    @Test func aRefusedFileKeepsItsPreviousRules() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try Self.writeRules(harness, "a.yml", "groups: [{name: a, rules: [{record: 'x:y', expr: '1'}]}]")
            let service = Self.service(harness)
            await service.load()
            try Self.writeRules(harness, "a.yml", "groups: [{name: a, rules: [{record: '1bad', expr: '1'}]}]")
            await service.load()
            var rules = try await Self.get(client, "/prometheus/api/v1/rules")
            var names = (rules["groups"] as? [[String: Any]])?.flatMap { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
            #expect(names == ["x:y"])
            try Self.writeRules(harness, "a.yml", "groups: [{name: a, rules: [{record: 'x:z', expr: '2'}]}]")
            await service.load()
            rules = try await Self.get(client, "/prometheus/api/v1/rules")
            names = (rules["groups"] as? [[String: Any]])?.flatMap { ($0["rules"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } }
            #expect(names == ["x:z"])
        }
    }

    @Test func aTenantFolderIsThatTenantsAndOneForNoSuchTenantIsNotApplied() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            try Self.writeRules(harness, "mine.yml", "groups: [{name: mine, rules: [{record: 'mine:x', expr: '1'}]}]")
            let folder = harness.server.configuration.dataDirectory + "/rules/nosuchtenant"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try "groups: [{name: theirs, rules: [{record: 'theirs:x', expr: '1'}]}]".write(toFile: folder + "/theirs.yml", atomically: true, encoding: .utf8)
            await Self.service(harness).load()
            let rules = try await Self.get(client, "/prometheus/api/v1/rules")
            #expect((rules["groups"] as? [[String: Any]])?.map { $0["name"] as? String } == ["mine"])
            #expect(await harness.server.rules.groups(tenantID: "nosuchtenant").isEmpty)
        }
    }

    /// After a restart (a fresh evaluator over the same catalog, rules read again) a firing rule alert resumes firing:
    /// the next evaluation neither starts it afresh nor tells anyone again.
    @Test func aFiringRuleAlertResumesAfterARestart() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let start = (Time.nowMs() / 60_000 - 10) * 60_000
            try await RemoteWriteInventoryTests.write(client, [([("__name__", "temp"), ("room", "a")], [(start - 1_000, 90)])])
            try Self.writeRules(harness, "t.yml", "groups: [{name: t, rules: [{alert: Hot, expr: 'temp > 80'}]}]")
            await Self.service(harness).load()
            await harness.server.rules.evaluateDue(nowMs: start)
            let server = harness.server
            let fresh = AlertEvaluator(catalog: server.catalog, querier: server.store, sink: server.events, feed: server.alertFeed,
                                       logger: Logger(label: "fresh"), clock: { start + 30_000 })
            try await fresh.load()
            let engine = RuleEngine(alerts: fresh, querier: server.store,
                                    writer: RuleSeriesWriter(store: server.store, alertFeed: server.alertFeed, streams: server.streams),
                                    defaultIntervalMs: 60_000, queryTimeoutMs: 10_000, logger: Logger(label: "fresh-rules"))
            await RuleService(engine: engine, catalog: server.catalog, directory: server.configuration.dataDirectory + "/rules",
                              logger: Logger(label: "fresh-rules"), clock: { 0 }).load()
            let id = try #require(await engine.groups(tenantID: "default").first?.rules.first?.definitionID)
            #expect(await fresh.ruleAlerts(id).map(\.state) == ["firing"], "resumed from the catalog")
            await engine.evaluateDue(nowMs: start + 60_000)
            let alerts = try await client.execute(uri: "/api/v1/alerts", method: .get, headers: ServerHarness.adminBasic)
            let alertID = try #require((alerts.data as? [[String: Any]])?.first?["id"] as? String)
            let history = try await server.catalog.alertHistory(tenantID: "default", id: alertID)
            #expect(history.map { "\($0.from)→\($0.to)" } == ["inactive→pending", "pending→firing"])
        }
    }
}
