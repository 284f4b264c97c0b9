import Foundation
import StrataAgent
import Testing

@Suite(.serialized) struct LiveHostTests {
    @Test func platformOfThisMachineAppearsWithCPUAndMemorySamples() throws {
        let bed = try Testbed("live-host")
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("CPU and memory samples", timeout: 30) {
            guard let id = try bed.platforms().first?["id"] as? String else { return false }
            return try !bed.samples(platformID: id, metric: "cpu_seconds_total", labels: ["mode": "user"]).isEmpty
                && !bed.samples(platformID: id, metric: "memory_used_bytes").isEmpty
        }
        let platform = try #require(try bed.platforms().first)
        let properties = platform["properties"] as? [String: Any] ?? [:]
        let machineID = try String(contentsOfFile: "/etc/machine-id", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(properties["machine_id"] as? String == machineID)
        #expect(properties["hostname"] as? String == ProcessInfo.processInfo.hostName)
        #expect(platform["availability"] as? String == "up")
    }

    @Test func platformGoesDownAfterThreeMissedIntervalsAndUpAgain() throws {
        let bed = try Testbed("availability")
        let server = try bed.startServer()
        defer { server.terminate() }
        var agent = try bed.startAgent()
        try waitUntil("the platform", timeout: 30) { try !bed.platforms().isEmpty }
        let id = try #require(try bed.platforms().first?["id"] as? String)
        agent.terminate()
        try waitUntil("the platform marked down", timeout: 30) {
            try bed.platforms().first?["availability"] as? String == "down"
        }
        agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the platform marked up", timeout: 30) {
            try bed.platforms().first?["availability"] as? String == "up"
        }
        let events = try bed.get("/api/v1/events?resource=\(id)&kind=availability") as? [[String: Any]] ?? []
        let messages = events.compactMap { $0["message"] as? String }
        #expect(messages.count == 2)
        #expect(messages.last?.contains("is down") == true)
        #expect(messages.first?.contains("is up") == true)
    }

    @Test func theAgentEnrollsOnceAndARevocationStopsItsBatchesAtOnce() throws {
        let bed = try Testbed("enrollment")
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the platform", timeout: 30) { try !bed.platforms().isEmpty }
        let credentialPath = bed.directory + "/agent/agent.credential"
        let credential = try String(contentsOfFile: credentialPath, encoding: .utf8)
        #expect(credential.hasPrefix("sag_") && !credential.contains(bed.agentToken), "the agent keeps its own credential")
        let mode = try FileManager.default.attributesOfItem(atPath: credentialPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let agentID = AgentState.load(path: bed.directory + "/agent/agent.state").agentID
        let agents = try bed.get("/api/v1/agents") as? [[String: Any]] ?? []
        #expect(agents.first?["id"] as? String == agentID)
        #expect(agents.first?["platformId"] as? String == (try bed.platforms().first?["id"] as? String), "bound to its platform")

        try bed.send("DELETE", "/api/v1/agents/\(agentID)")
        let platform = try #require(try bed.platforms().first?["id"] as? String)
        let storedAtRevocation = try bed.samples(platformID: platform, metric: "uptime_seconds").count
        try waitUntil("three batches spooled after the revocation", timeout: 30) { bed.spooled().count >= 3 }
        let storedLater = try bed.samples(platformID: platform, metric: "uptime_seconds").count
        #expect(storedLater <= storedAtRevocation + 1, "at most the batch in flight at revocation lands (\(storedAtRevocation) → \(storedLater))")
        let audit = try bed.get("/api/v1/audit?action=agent.") as? [[String: Any]] ?? []
        let outcomes = audit.map { "\($0["action"] as? String ?? "") \($0["outcome"] as? String ?? "")" }
        #expect(outcomes.contains("agent.revoke ok") && outcomes.contains("agent.enroll ok"))
        #expect(outcomes.contains("agent.enroll denied"), "the revoked agent tried to enroll again and was refused: \(outcomes)")
        // Secrets never reach a log: not the agent's credential, and the enrollment token only in the
        // server's one-time first-start banner.
        let agentLog = try String(contentsOfFile: bed.directory + "/agent.log", encoding: .utf8)
        let serverLog = try String(contentsOfFile: bed.directory + "/server.log", encoding: .utf8)
        let credentialValue = credential.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(!agentLog.contains(credentialValue) && !serverLog.contains(credentialValue))
        #expect(!agentLog.contains(bed.agentToken))
        #expect(serverLog.components(separatedBy: bed.agentToken).count <= 2, "shown once at first start, never again")
    }
}
