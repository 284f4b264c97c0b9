import Foundation
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
}
