import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import StrataAlerting
import StrataCore
import StrataTSDB
import Synchronization
import Testing
@testable import StrataServer

/// A webhook receiver on a real loopback port that keeps every request it gets.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: [UInt8]
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
    }

    let received = Mutex<[Received]>([])
    let port = Mutex(0)
    private let task = Mutex<Task<Void, Never>?>(nil)

    func start() async throws {
        let router = Router()
        router.post("hook") { [self] request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            received.withLock { $0.append(Received(headers: headers, body: Array(buffer: body))) }
            return .noContent
        }
        let ready = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in ready.continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: Logger(label: "webhook"))
        task.withLock { $0 = Task { try? await app.runService() } }
        var iterator = ready.stream.makeAsyncIterator()
        port.withLock { $0 = 0 }
        let bound = await iterator.next() ?? 0
        port.withLock { $0 = bound }
    }

    var url: String { "http://127.0.0.1:\(port.withLock { $0 })/hook" }

    /// Waits (up to `seconds`) until a request satisfies `predicate`.
    func wait(seconds: Double = 20, for predicate: (Received) -> Bool) async throws -> Received? {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let match = received.withLock({ $0.first(where: predicate) }) { return match }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}

@Suite struct AlertingFlowTests {
    static func runAlerting(_ harness: ServerHarness, timeout: Duration = .seconds(2)) -> Task<Void, Never> {
        let server = harness.server
        return Task {
            let alerting = AlertingService(evaluator: server.alerts, feed: server.alertFeed, sink: server.events,
                                           definitionsDirectory: server.configuration.dataDirectory + "/alerts", logger: Logger(label: "alerting"))
            var notifications = NotificationService(catalog: server.catalog, logger: Logger(label: "notify"), timeout: timeout)
            notifications.pollInterval = .milliseconds(20)
            let group = ServiceGroup(configuration: .init(services: [alerting, notifications], logger: Logger(label: "alert-services")))
            try? await group.run()
        }
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ json: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .post, headers: ServerHarness.adminBasic, body: ByteBuffer(string: json))
    }

    @Test func aThresholdAlertFiresAndResolvesAndTheWebhookGetsSignedNotificationsOfBoth() async throws {
        let receiver = WebhookReceiver()
        try await receiver.start()
        let harness = try ServerHarness()
        // Exactly two receipts: a delivery timed out on a loaded machine would be sent again (at least once).
        let services = Self.runAlerting(harness, timeout: .seconds(60))
        defer { services.cancel() }
        try await harness.test { client in
            let definition = """
                {"name": "load-high", "scope": {"series": {"job": "node"}}, "severity": "critical",
                 "condition": {"type": "threshold", "metric": "node_load1", "op": ">", "threshold": 5, "clear": 4},
                 "annotations": {"summary": "load {{ .value }} on {{ .labels.instance }}"},
                 "notify": [{"type": "webhook", "url": "\(receiver.url)", "secret": "s3cret"}]}
                """
            let created = try await Self.post(client, "/api/v1/alert-definitions", definition)
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            #expect(((created.data as? [String: Any])?["notify"] as? [[String: Any]])?.first?["secret"] as? String == "***")
            let now = WallClock.nowMs()
            let labels = [("__name__", "node_load1"), ("job", "node"), ("instance", "web-1:9100")]
            try await RemoteWriteInventoryTests.write(client, [(labels, [(now - 2_000, 7.5)])])
            let firing = try #require(try await receiver.wait { $0.json["status"] as? String == "firing" })
            // The signature is HMAC-SHA256 over "timestamp.body" with the definition's secret.
            let timestamp = try #require(firing.headers["x-strata-timestamp"])
            let mac = HMAC<SHA256>.authenticationCode(for: Array((timestamp + ".").utf8) + firing.body, using: SymmetricKey(data: Array("s3cret".utf8)))
            #expect(firing.headers["x-strata-signature"] == "sha256=" + mac.map { String(format: "%02x", $0) }.joined())
            #expect(firing.headers["x-strata-delivery"] != nil)
            let alerts = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
            let alert = try #require((alerts.data as? [[String: Any]])?.first)
            #expect((alert["annotations"] as? [String: String])?["summary"] == "load 7.5 on web-1:9100")
            // 4.5 is below the threshold but above the clear threshold: still firing (hysteresis).
            try await RemoteWriteInventoryTests.write(client, [(labels, [(now - 1_000, 4.5)])])
            try await RemoteWriteInventoryTests.write(client, [(labels, [(now, 1)])])
            let resolved = try #require(try await receiver.wait { $0.json["status"] as? String == "resolved" })
            #expect(resolved.json["status"] as? String == "resolved")
            let id = try #require(alert["id"] as? String)
            let history = try await client.execute(uri: "/api/v1/alerts/\(id)/history", method: .get, headers: ServerHarness.adminBasic)
            let changes = (history.data as? [[String: Any]] ?? []).map { "\($0["from"]!)→\($0["to"]!)" }
            #expect(changes == ["inactive→pending", "pending→firing", "firing→resolved"])
            let deliveries = try await client.execute(uri: "/api/v1/alerts/\(id)/notifications", method: .get, headers: ServerHarness.adminBasic)
            #expect((deliveries.data as? [[String: Any]] ?? []).allSatisfy { $0["status"] as? String == "delivered" })
            #expect(receiver.received.withLock { $0.count } == 2)
        }
    }

    /// Which definitions cover a series is remembered per metric: a definition defined, replaced or deleted while its
    /// metric's samples flow takes effect from the next sample, and one on another metric leaves it alone.
    @Test func definitionsChangedWhileSamplesFlowJudgeTheNextSample() async throws {
        let harness = try ServerHarness()
        let services = Self.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            func define(_ name: String, _ metric: String, _ threshold: Int) async throws {
                let body = #"{"name": "\#(name)", "scope": {"series": {"job": "node"}}, "condition": {"type": "threshold", "metric": "\#(metric)", "op": ">", "threshold": \#(threshold)}}"#
                #expect(try await Self.post(client, "/api/v1/alert-definitions", body).status == .ok)
            }
            func firing() async throws -> Set<String> {
                let alerts = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
                return Set((alerts.data as? [[String: Any]] ?? []).compactMap { $0["definitionName"] as? String })
            }
            let labels = [("__name__", "node_load1"), ("job", "node"), ("instance", "web-1:9100")]
            var time = WallClock.nowMs() - 60_000
            func sample(_ value: Double) async throws {
                time += 1_000
                try await RemoteWriteInventoryTests.write(client, [(labels, [(time, value)])])
            }
            try await define("high", "node_load1", 100)
            try await sample(7)
            try await define("other-metric", "node_load5", 1)
            try await define("low", "node_load1", 5)
            try await sample(8)
            try await waitFor("the definition added after the series was matched") { try await firing() == ["low"] }
            try await define("high", "node_load1", 6)
            try await sample(9)
            try await waitFor("the replaced definition") { try await firing() == ["low", "high"] }
            let id = AlertDefinition.id(tenantID: "default", name: "low")
            #expect(try await client.execute(uri: "/api/v1/alert-definitions/\(id)", method: .delete, headers: ServerHarness.adminBasic).status == .ok)
            try await sample(9)
            try await waitFor("the deleted definition gone") { try await firing() == ["high"] }
        }
    }

    @Test func aDefinitionWithAnUnknownOperatorIsRefusedNamingTheField() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let response = try await Self.post(client, "/api/v1/alert-definitions", """
                {"name": "bad", "scope": {"kind": "platform"}, "condition": {"type": "threshold", "metric": "cpu", "op": "=>", "threshold": 1}}
                """)
            #expect(response.status == .badRequest)
            #expect((response.json["error"] as? String)?.contains("condition.op") == true)
            let noScope = try await Self.post(client, "/api/v1/alert-definitions", """
                {"name": "bad", "scope": {}, "condition": {"type": "availability"}}
                """)
            #expect((noScope.json["error"] as? String)?.contains("scope") == true)
        }
    }

    @Test func openAlertsAreSentToAlertmanagerAgainSoItDoesNotResolveThemByItself() async throws {
        let harness = try ServerHarness()
        await harness.server.alerts.setAlertmanagerResend(everyMs: 0)
        let services = Self.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            let created = try await Self.post(client, "/api/v1/alert-definitions", """
                {"name": "am", "scope": {"series": {"job": "node"}}, "condition": {"type": "threshold", "metric": "node_load1", "op": ">", "threshold": 5},
                 "notify": [{"type": "alertmanager", "url": "http://127.0.0.1:1"}]}
                """)
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            try await RemoteWriteInventoryTests.write(client, [([("__name__", "node_load1"), ("job", "node")], [(WallClock.nowMs(), 9)])])
            var ids: [String] = []
            for _ in 0..<100 where !ids.contains(where: { $0.contains("-resend-") }) {
                try await Task.sleep(for: .milliseconds(100))
                let alerts = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
                guard let id = (alerts.data as? [[String: Any]])?.first?["id"] as? String else { continue }
                let deliveries = try await client.execute(uri: "/api/v1/alerts/\(id)/notifications", method: .get, headers: ServerHarness.adminBasic)
                ids = (deliveries.data as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            }
            #expect(ids.count >= 2 && ids.contains { $0.contains("-resend-") }, "\(ids)")
            let history = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
            #expect((history.data as? [[String: Any]])?.count == 1, "a resend changes no alert")
        }
    }

    @Test func aTrendAlertOnALeakFiresWithItsProjectedCrossingWithin20PercentOfTheTruth() async throws {
        let harness = try ServerHarness()
        let services = Self.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            let created = try await Self.post(client, "/api/v1/alert-definitions", """
                {"name": "heap-leak", "scope": {"series": {"job": "app"}},
                 "condition": {"type": "trend", "metric": "heap_bytes", "op": ">", "threshold": 4000, "horizon": "3d", "window": "6h"}}
                """)
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            // Six hours of a leak that speeds up (1000 + 20 h + 4 h², one sample a minute), ending now.
            let now = WallClock.nowMs()
            let start = now - 6 * 3_600_000
            let samples: [(Int64, Double)] = (0...360).map { minute in
                let hours = Double(minute) / 60
                return (start + Int64(minute) * 60_000, 1_000 + 20 * hours + 4 * hours * hours)
            }
            try await RemoteWriteInventoryTests.write(client, [([("__name__", "heap_bytes"), ("job", "app")], samples)])
            var alert: [String: Any]?
            for _ in 0..<100 where alert == nil {
                try await Task.sleep(for: .milliseconds(100))
                let alerts = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
                alert = (alerts.data as? [[String: Any]])?.first
            }
            let text = try #require((alert?["annotations"] as? [String: String])?["projected_crossing"])
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let projected = try #require(formatter.date(from: text)).timeIntervalSince1970 * 1000
            let trueCrossing = Double(start) + (-20 + (400 + 48_000.0).squareRoot()) / 8 * 3_600_000
            let remainingTrue = trueCrossing - Double(now)
            #expect(abs(projected - trueCrossing) <= 0.2 * remainingTrue, "projected \(text)")
        }
    }
}
