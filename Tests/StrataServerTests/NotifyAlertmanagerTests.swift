import Foundation
import Testing
@testable import StrataServer

/// Alertmanager deliveries against a real Alertmanager 0.25 (Debian `prometheus-alertmanager`) on loopback.
@Suite struct NotifyAlertmanagerTests {
    static let binary = notifyExecutable("/usr/bin/prometheus-alertmanager", "/usr/bin/alertmanager")
    static let curl = notifyExecutable("/usr/bin/curl")

    /// Runs `body` against an Alertmanager of its own (own port, own storage directory, no gossip), stopped
    /// afterwards.
    func withAlertmanager(_ body: (_ port: Int) async throws -> Void) async throws {
        let binary = try #require(Self.binary)
        let directory = try notifyTemporaryDirectory("alertmanager")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n"
            .write(toFile: "\(directory)/am.yml", atomically: true, encoding: .utf8)
        let port = try SilentListener.freePort()
        let server = try TestServerProcess(binary, [
            "--config.file=\(directory)/am.yml", "--storage.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ], logPath: "\(directory)/alertmanager.log")
        defer { server.stop() }
        try await server.waitForPort(port)
        try await body(port)
    }

    /// The alerts Alertmanager lists as current for `alertname` (read with curl, a client apart from Strata's).
    func alerts(port: Int, alertname: String) throws -> [[String: Any]] {
        let filter = "alertname=\"\(alertname)\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: try #require(Self.curl))
        curl.arguments = ["-sSf", "--max-time", "10", "http://127.0.0.1:\(port)/api/v2/alerts?filter=\(filter)"]
        let output = Pipe()
        curl.standardOutput = output
        try curl.run()
        let body = output.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        #expect(curl.terminationStatus == 0)
        return try JSONSerialization.jsonObject(with: body) as? [[String: Any]] ?? []
    }

    @Test(.enabled(if: NotifyAlertmanagerTests.binary != nil && NotifyAlertmanagerTests.curl != nil,
                   "prometheus-alertmanager or curl is not installed (scripts/install-deps.sh test installs them)"))
    func firingAlertIsListedWithStrataLabelsAndResolvedAlertIsGone() async throws {
        try await withAlertmanager { port in
            let name = "StrataTest\(UInt32.random(in: 0...UInt32.max))"
            let target = NotificationTarget.alertmanager(AlertmanagerTarget(url: "http://127.0.0.1:\(port)", externalURL: "http://strata.example:8080"))
            let delivery = testDelivery()

            try await delivery.deliver(sampleNotification(status: "firing", definitionName: name), to: target)
            let firing = try alerts(port: port, alertname: name)
            #expect(firing.count == 1)
            let alert = try #require(firing.first)
            let labels = alert["labels"] as? [String: String] ?? [:]
            #expect(labels == ["alertname": name, "severity": "critical", "tenant": "tenant-a", "resource_id": "res-web1",
                               "resource_name": "web-1", "team": "ops", "service_tier": "front"])
            let annotations = alert["annotations"] as? [String: String] ?? [:]
            #expect(annotations["summary"] == "CPU above 90 % for 5 min")
            #expect(annotations["value"] == "97.5")
            #expect(alert["startsAt"] as? String == "2025-12-02T10:00:00.000Z")
            #expect((alert["status"] as? [String: Any])?["state"] as? String == "active")
            #expect(alert["generatorURL"] as? String == "http://strata.example:8080/alerts/alert-1")

            // Resolved: endsAt in the past, so Alertmanager resolves the alert and no longer lists it
            // (API v2 leaves alerts whose endsAt has passed out of GET /api/v2/alerts, whatever the filters).
            try await delivery.deliver(sampleNotification(status: "resolved", definitionName: name), to: target)
            #expect(try alerts(port: port, alertname: name).isEmpty)
        }
    }

    @Test func alertmanagerBehindARoutePrefixAndAnUnreachableOneAreHandled() async throws {
        // An Alertmanager that is not there is retryable; the URL's own path is kept as a prefix.
        let port = try SilentListener.freePort()
        let target = NotificationTarget.alertmanager(AlertmanagerTarget(url: "http://127.0.0.1:\(port)/am/"))
        let error = await #expect(throws: DeliveryError.self) { try await testDelivery().deliver(sampleNotification(), to: target) }
        #expect(error?.retryable == true)
        let endpoint = try HTTPEndpoint(parsing: "http://127.0.0.1:\(port)/am/", what: "url").appendingPath("/api/v2/alerts")
        #expect(endpoint.target == "/am/api/v2/alerts")
    }
}
