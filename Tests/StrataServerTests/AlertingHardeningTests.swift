import Foundation
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import StrataAPI
import StrataTSDB
import Testing
@testable import StrataServer

/// Defects an outside probe found in the first alerting build, each with the test that failed before its fix.
@Suite struct AlertingHardeningTests {
    static func definition(_ name: String, job: String, notify: String) -> String {
        """
        {"name": "\(name)", "scope": {"series": {"job": "\(job)"}}, "flapThreshold": 0,
         "condition": {"type": "threshold", "metric": "m", "op": ">", "threshold": 5}, "notify": [\(notify)]}
        """
    }

    @Test func aReceiverThatNeverAnswersHoldsOnlyItsOwnDeliveries() async throws {
        let silent = try SilentListener()
        defer { silent.close() }
        let healthy = WebhookReceiver()
        try await healthy.start()
        let harness = try ServerHarness()
        let services = AlertingFlowTests.runAlerting(harness, timeout: .seconds(120))
        defer { services.cancel() }
        try await harness.test { client in
            // Eight alerts whose receiver accepts connections and never answers, then one for a healthy receiver.
            for index in 0..<8 {
                let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions",
                                                                Self.definition("stuck-\(index)", job: "stuck-\(index)", notify: #"{"type": "webhook", "url": "http://127.0.0.1:\#(silent.port)/x"}"#))
                #expect(response.status == .ok)
                try await RemoteWriteInventoryTests.write(client, [([("__name__", "m"), ("job", "stuck-\(index)")], [(WallClock.nowMs(), 9)])])
            }
            let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions",
                                                            Self.definition("fine", job: "fine", notify: #"{"type": "webhook", "url": "\#(healthy.url)"}"#))
            #expect(response.status == .ok)
            try await RemoteWriteInventoryTests.write(client, [([("__name__", "m"), ("job", "fine")], [(WallClock.nowMs(), 9)])])
            // Delivered while every stuck delivery is still waiting on its receiver (their timeout is 120 s).
            let received = try await healthy.wait(seconds: 100) { $0.json["status"] as? String == "firing" }
            #expect(received != nil)
            let alerts = try await client.execute(uri: "/api/v1/alerts?state=firing", method: .get, headers: ServerHarness.adminBasic)
            var stillPending = 0
            for alert in alerts.data as? [[String: Any]] ?? [] where (alert["definitionName"] as? String)?.hasPrefix("stuck-") == true {
                let id = alert["id"] as? String ?? ""
                let deliveries = try await client.execute(uri: "/api/v1/alerts/\(id)/notifications", method: .get, headers: ServerHarness.adminBasic)
                stillPending += (deliveries.data as? [[String: Any]] ?? []).filter { $0["status"] as? String == "pending" && $0["attempts"] as? Int == 0 }.count
            }
            #expect(stillPending == 8, "the stuck deliveries were still in their first attempt when the healthy one arrived")
        }
    }

    @Test func targetsDeliveryWouldRefuseAreRefusedWhenSaved() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            for target in [#"{"type": "webhook", "url": "http://user:pass@127.0.0.1/x"}"#,
                           #"{"type": "email", "host": "smtp", "from": "a@b.c", "to": ["x@z\r\nBcc: evil@e"]}"#] {
                let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", Self.definition("t", job: "j", notify: target))
                #expect(response.status == .badRequest, "\(target)")
                #expect((response.json["error"] as? String)?.contains("notify[0]") == true, "\(response.json)")
            }
        }
    }

    @Test func aClearThresholdOnTheFarSideOfTheThresholdIsRefused() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", """
                {"name": "c", "scope": {"kind": "platform"}, "condition": {"type": "threshold", "metric": "m", "op": ">", "threshold": 5, "clear": 10}}
                """)
            #expect(response.status == .badRequest)
            #expect((response.json["error"] as? String)?.contains("condition.clear") == true)
        }
    }

    @Test func webhookURLsAreAnsweredWithoutCredentialsOrPath() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let created = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions",
                                                           Self.definition("u", job: "j", notify: #"{"type": "slack", "url": "https://hooks.example/services/T0/B0/SECRETTOKEN"}"#))
            let url = ((created.data as? [String: Any])?["notify"] as? [[String: Any]])?.first?["url"] as? String
            #expect(url == "https://hooks.example/***")
        }
    }

    @Test func aDefinitionFileCannotTakeOverADefinitionCreatedThroughTheAPI() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            _ = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", Self.definition("shared", job: "a", notify: ""))
            let directory = try DefinitionFilesTests.directory(["clash.yaml": """
                name: shared
                scope: {series: {job: b}}
                condition: {type: availability}
                """])
            await harness.server.alerts.applyFiles(DefinitionFilesTests.scan(directory))
            let stored = try await client.execute(uri: "/api/v1/alert-definitions/shared", method: .get, headers: ServerHarness.adminBasic)
            #expect((stored.data as? [String: Any])?["origin"] as? String == "api")
            #expect(((stored.data as? [String: Any])?["scope"] as? [String: Any])?["series"] as? [String: String] == ["job": "a"])
        }
    }

    @Test func aDefinitionFileForATenantThatDoesNotExistChangesNothing() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let directory = try DefinitionFilesTests.directory([
                "ghost.yaml": "tenant: ghost\nname: ghost-down\nscope: {kind: platform}\ncondition: {type: availability}\n",
                "ok.yaml": "name: ok-down\nscope: {kind: platform}\ncondition: {type: availability}\n",
            ])
            await harness.server.alerts.applyFiles(DefinitionFilesTests.scan(directory))
            let names = await harness.server.alerts.definitions(tenantID: "ghost").map(\.name)
            #expect(names.isEmpty)
            let stored = try await client.execute(uri: "/api/v1/alert-definitions", method: .get, headers: ServerHarness.adminBasic)
            #expect((stored.data as? [[String: Any]] ?? []).compactMap { $0["name"] as? String } == ["ok-down"])
        }
    }

    @Test func severitiesAreTheFourNamesNotLogLevelSynonyms() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let response = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", """
                {"name": "s", "severity": "fatal", "scope": {"kind": "platform"}, "condition": {"type": "availability"}}
                """)
            #expect(response.status == .badRequest)
            #expect((response.json["error"] as? String)?.hasPrefix("severity:") == true, "\(response.json)")
            let event = try await AlertingFlowTests.post(client, "/api/v1/alert-definitions", """
                {"name": "e", "scope": {"kind": "server"}, "condition": {"type": "event", "kinds": ["log"], "severity": "err"}}
                """)
            #expect((event.json["error"] as? String)?.hasPrefix("condition.severity:") == true, "\(event.json)")
        }
    }
}
