import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// Baseline and composite conditions through a real server: definitions over the API, samples over remote write and
/// the agent uplink, alerts read back from the API.
@Suite struct AlertingConditionsTests {
    static func firing(_ client: any TestClientProtocol, waitingUpTo tries: Int = 600) async throws -> [[String: Any]] {
        var alerts: [[String: Any]] = []
        for _ in 0..<tries where alerts.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            let response = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
            alerts = response.data as? [[String: Any]] ?? []
        }
        return alerts
    }

    /// One agent batch of `agent-a` on `m1`: its platform (0), an nginx server on it (1) and a site service of nginx (2),
    /// with one sample per (resource index, metric, value) at the sequence's second after `startMs`.
    static func batch(_ sequence: UInt64, startMs: Int64, _ values: [(Int, String, Double)]) -> AgentBatch {
        let time = startMs + Int64(sequence) * 1_000
        return AgentBatch(agentID: "agent-a", sequence: sequence, createdAtMs: time, intervalMs: 1_000, agentVersion: "test",
                          resources: [ResourceReport(kind: .platform, key: "machine-id:m1", name: "host-m1"),
                                      ResourceReport(kind: .server, key: "nginx:80", name: "nginx", parentIndex: 0, properties: .map([("type", .string("nginx"))])),
                                      ResourceReport(kind: .service, key: "nginx:80/site", name: "site", parentIndex: 1)],
                          series: values.map { SeriesPoints(resourceIndex: $0.0, metric: $0.1, type: .gauge, labels: [:], points: [Sample(time, $0.2)]) })
    }

    /// Two weeks (the raw retention is 15 days) of a request rate stored before the definition exists: busy (about 200) from 09:00 to 18:00 UTC,
    /// quiet (about 20) otherwise. The definition learns them from the store, so a usual value now is left alone and
    /// an unusual one fires with the usual value in its annotations.
    @Test func aBaselineLearnsFromStoredHistoryAndFiresOnlyOnAnUnusualValue() async throws {
        let harness = try ServerHarness()
        let services = AlertingFlowTests.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            let hour: Int64 = 3_600_000
            let now = WallClock.nowMs()
            let thisHour = now / hour * hour
            func base(_ time: Int64) -> Double { (time / hour) % 24 >= 9 && (time / hour) % 24 < 18 ? 200 : 20 }
            // 0, 1, 2, 0, 1, 2 within each hour: the hour's mean is its base + 1.
            func usual(_ time: Int64) -> Double { base(time) + Double((time / 600_000) % 3) }
            let history = stride(from: thisHour - 14 * 24 * hour, to: thisHour, by: 600_000).map { ($0, usual($0)) }
            let labels = [("__name__", "http_requests_rate"), ("job", "web")]
            try await RemoteWriteInventoryTests.write(client, [(labels, history)])
            let created = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", """
                {"name": "requests-unusual", "scope": {"series": {"job": "web"}},
                 "condition": {"type": "baseline", "metric": "http_requests_rate", "deviations": 4},
                 "annotations": {"summary": "{{ .value }} requests/s, usually {{ .expected }}"}}
                """)
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            try await RemoteWriteInventoryTests.write(client, [(labels, [(now - 1_000, usual(now))])])
            #expect(try await Self.firing(client, waitingUpTo: 20).isEmpty, "a usual value fires nothing")
            let unusual = usual(now) * 5
            try await RemoteWriteInventoryTests.write(client, [(labels, [(now, unusual)])])
            let alert = try #require(try await Self.firing(client).first)
            let annotations = alert["annotations"] as? [String: String] ?? [:]
            #expect(annotations["expected"] == NumberText.human(base(now) + 1), "\(annotations)")
            #expect(annotations["summary"]?.hasPrefix("\(NumberText.human(unusual)) requests/s, usually ") == true, "\(annotations)")
        }
    }

    /// Tomcat's connections high is a problem only while its platform's CPU is busy too: a composite over the
    /// server and the platform beneath it fires when both hold and resolves when one stops.
    @Test func aCompositeFiresWhenTheServerAndItsPlatformBothHold() async throws {
        let harness = try ServerHarness()
        let services = AlertingFlowTests.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            let created = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", """
                {"name": "busy-and-crowded", "scope": {"serverType": "nginx"},
                 "condition": {"type": "composite", "mode": "all", "conditions": [
                    {"type": "threshold", "metric": "nginx_connections", "op": ">", "threshold": 100},
                    {"type": "threshold", "metric": "cpu_busy_ratio", "op": ">", "threshold": 0.9, "on": "platform"}]}}
                """)
            #expect(created.status == .ok, "\(String(buffer: created.body))")
            let start = WallClock.nowMs() - 60_000
            func batch(_ sequence: UInt64, connections: Double, cpu: Double) -> AgentBatch {
                Self.batch(sequence, startMs: start, [(1, "nginx_connections", connections), (0, "cpu_busy_ratio", cpu)])
            }
            #expect(try await upload(client, BatchCodec.encode(batch(1, connections: 150, cpu: 0.5))).status == .ok)
            #expect(try await Self.firing(client, waitingUpTo: 15).isEmpty, "the platform is not busy")
            #expect(try await upload(client, BatchCodec.encode(batch(2, connections: 150, cpu: 0.95))).status == .ok)
            let alert = try #require(try await Self.firing(client).first)
            let servers = try await client.execute(uri: "/api/v1/resources?kind=server", method: .get, headers: ServerHarness.adminBasic)
            #expect(alert["resourceId"] as? String == (servers.data as? [[String: Any]])?.first?["id"] as? String)
            #expect(alert["value"] as? Double == 2, "both parts hold")
            #expect(try await upload(client, BatchCodec.encode(batch(3, connections: 150, cpu: 0.4))).status == .ok)
            var resolved = false
            for _ in 0..<100 where !resolved {
                try await Task.sleep(for: .milliseconds(100))
                let response = try await client.execute(uri: "/api/v1/alerts?state=resolved", method: .get, headers: ServerHarness.adminBasic)
                resolved = !((response.data as? [[String: Any]]) ?? []).isEmpty
            }
            #expect(resolved)
        }
    }

    /// A service's alert that fires while its server is down is held beneath the server's alert (not told); when the
    /// server is up again and the service's alert still holds, it is released and told on its own, once.
    @Test func anAlertHeldBeneathADownServerIsReleasedWhenTheServerRecoversAndItStillHolds() async throws {
        let receiver = WebhookReceiver()
        try await receiver.start()
        let harness = try ServerHarness()
        let services = AlertingFlowTests.runAlerting(harness)
        defer { services.cancel() }
        try await harness.test { client in
            for definition in [
                #"{"name": "server-down", "scope": {"kind": "server"}, "condition": {"type": "availability"}, "notify": [{"type": "webhook", "url": "\#(receiver.url)"}]}"#,
                #"{"name": "slow", "scope": {"kind": "service"}, "condition": {"type": "threshold", "metric": "latency_seconds", "op": ">", "threshold": 1}, "notify": [{"type": "webhook", "url": "\#(receiver.url)"}]}"#,
            ] {
                let created = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", definition)
                #expect(created.status == .ok, "\(String(buffer: created.body))")
            }
            let start = WallClock.nowMs() - 60_000
            func batch(_ sequence: UInt64, up: Double, latency: Double) -> AgentBatch {
                Self.batch(sequence, startMs: start, [(1, "up", up), (2, "latency_seconds", latency)])
            }
            func told(_ status: String, _ resourceName: String) async throws -> Bool {
                try await receiver.wait(seconds: 20) { $0.json["status"] as? String == status && $0.json["resourceName"] as? String == resourceName } != nil
            }
            #expect(try await upload(client, BatchCodec.encode(batch(1, up: 1, latency: 0.1))).status == .ok)
            #expect(try await upload(client, BatchCodec.encode(batch(2, up: 0, latency: 0.1))).status == .ok)
            #expect(try await told("firing", "nginx"))
            #expect(try await upload(client, BatchCodec.encode(batch(3, up: 0, latency: 5))).status == .ok)
            var held: [String: Any]?
            for _ in 0..<100 where held == nil {
                try await Task.sleep(for: .milliseconds(100))
                let response = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
                held = (response.data as? [[String: Any]] ?? []).first { $0["definitionName"] as? String == "slow" }
            }
            #expect(held?["heldBy"] as? String != nil, "the service's alert is held beneath the server's: \(held ?? [:])")
            #expect(try await upload(client, BatchCodec.encode(batch(4, up: 1, latency: 5))).status == .ok)
            #expect(try await told("resolved", "nginx"))
            #expect(try await told("firing", "site"), "released and told on its own")
            let id = try #require(held?["id"] as? String)
            let history = try await client.execute(uri: "/api/v1/alerts/\(id)/history", method: .get, headers: ServerHarness.adminBasic)
            let rows = history.data as? [[String: Any]] ?? []
            #expect(rows.map { $0["reason"] as? String ?? "" } == ["condition-met", "condition-met", "released"], "\(rows)")
            #expect(rows.map { $0["notified"] as? Bool ?? true } == [false, false, true], "\(rows)")
            #expect(receiver.received.withLock { $0.filter { $0.json["resourceName"] as? String == "site" }.count } == 1)
        }
    }

    @Test func misspeltFieldsAtAnyDepthAreRefusedWithTheirPath() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let cases: [(body: String, field: String)] = [
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "threshold", "metric": "m", "op": ">", "treshold": 1}}"#, "condition.treshold"),
                (#"{"name": "a", "scope": {"kind": "vm", "typo": 1}, "condition": {"type": "availability"}}"#, "scope.typo"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "availability"}, "notify": [{"type": "webhook", "url": "http://x.example", "secrett": "s"}]}"#, "notify[0].secrett"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "composite", "conditions": [{"type": "availability", "onn": "host"}]}}"#, "condition.conditions[0].onn"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "availability", "on": "host"}}"#, "condition.on"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "composite", "conditions": [{"type": "availability", "on": "host"}]}}"#, "condition.conditions"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "baseline", "metric": "m", "season": "monthly"}}"#, "condition.season"),
                (#"{"name": "a", "scope": {"kind": "vm"}, "condition": {"type": "baseline", "metric": "m", "utcOffset": "+25:00"}}"#, "condition.utcOffset"),
                (#"{"name": "a", "scope": {"series": {"job": "x"}}, "condition": {"type": "composite", "conditions": [{"type": "availability"}]}}"#, "scope"),
            ]
            for (body, field) in cases {
                let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", body)
                #expect(response.status == .badRequest, "\(body)")
                #expect((response.json["error"] as? String)?.hasPrefix(field) == true, "\(body): \(response.json["error"] ?? "")")
            }
        }
    }
}
