import Foundation
import Testing

/// Issue 17: Prometheus 2.42's self-scrape, remote-written to Strata, used to become a top-level `source` with
/// availability `unknown` beside the `server prometheus :PORT` the agent found. It joins that server now, and
/// the server shows `up`; its histograms are typed from Prometheus's metadata.
@Suite(.serialized) struct PrometheusJoinTests {
    @Test func prometheusRemoteWritingItsSelfScrapeJoinsTheDiscoveredPrometheusServer() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus") else {
            Issue.record("prometheus 2.42 is missing: make test installs it (scripts/install-deps.sh)")
            return
        }
        let bed = try Testbed("prometheus-join")
        let server = try bed.startServer()
        defer { server.terminate() }
        let promPort = try Testbed.freePort()
        // The agent runs first: Prometheus's process appears before it listens, which the agent's discovery used
        // to miss until its next full discovery (5 min).
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the agent's platform", timeout: 30) { try !bed.platforms().isEmpty }
        let prometheus = try bed.startPrometheus(port: promPort, job: "prometheus", targets: ["127.0.0.1:\(promPort)"])
        defer { prometheus.killTree() }

        func prometheusServer() throws -> [String: Any]? {
            (try bed.get("/api/v1/resources?kind=server") as? [[String: Any]] ?? []).first { $0["name"] as? String == "prometheus :\(promPort)" }
        }
        try waitUntil("the agent's prometheus server", timeout: 30) { try prometheusServer() != nil }
        let serverID = try #require(try prometheusServer()?["id"] as? String)
        func series() throws -> [[String: Any]] { try bed.get("/api/v1/resources/\(serverID)/series") as? [[String: Any]] ?? [] }
        try waitUntil("the self-scrape's up and a histogram typed from metadata on that server", timeout: 60) {
            let all = try series()
            return all.contains { $0["metric"] as? String == "up" && ($0["labels"] as? [String: String])?["job"] == "prometheus" }
                && all.contains { $0["metric"] as? String == "prometheus_http_request_duration_seconds_count" && $0["type"] as? String == "histogram" }
        }
        #expect(try prometheusServer()?["availability"] as? String == "up")
        let sources = try bed.get("/api/v1/resources?kind=source") as? [[String: Any]] ?? []
        #expect(!sources.contains { ($0["naturalKey"] as? String)?.contains(":\(promPort)") == true }, "no source beside the server: \(sources)")
    }
}
