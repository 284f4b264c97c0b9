import Foundation
import StrataAgent
import StrataCore
import Testing

/// Real server and agent processes on loopback; the agent collects every second.
@Suite(.serialized) struct NoLossTests {
    @Test func serverKill9LosesNoSampleAndStoresNoneTwice() throws {
        let bed = try Testbed("server-kill")
        var server = try bed.startServer()
        let agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the first two samples", timeout: 30) {
            guard let id = try bed.platforms().first?["id"] as? String else { return false }
            return try bed.samples(platformID: id, metric: "uptime_seconds").count >= 2
        }

        server.kill9()
        try waitUntil("three collections spooled while the server is dead", timeout: 30) { bed.spooled().count >= 3 }
        #expect(agent.isRunning, "the agent keeps collecting while the server is down")

        server = try bed.startServer()
        defer { server.terminate() }
        try waitUntil("the spool to drain", timeout: 30) { bed.spooled().isEmpty }
        agent.terminate()
        try waitUntil("the last batch", timeout: 30) { bed.spooled().isEmpty }

        let platformID = try #require(try bed.platforms().first?["id"] as? String)
        let samples = try bed.samples(platformID: platformID, metric: "uptime_seconds")
        let timestamps = samples.map(\.0)
        #expect(UInt64(samples.count) == bed.agentLastSequence(), "one sample per batch the agent made: none lost")
        #expect(Set(timestamps).count == timestamps.count, "none stored twice")
        #expect(timestamps == timestamps.sorted())
    }

    @Test func agentKill9ReplaysItsSpoolOnRestart() throws {
        let bed = try Testbed("agent-kill")
        var server = try bed.startServer()
        var agent = try bed.startAgent()
        try waitUntil("the platform", timeout: 30) { try !bed.platforms().isEmpty }

        server.kill9()
        try waitUntil("batches spooled", timeout: 30) { bed.spooled().count >= 2 }
        agent.kill9()
        let spooled = bed.spooled()
        var expectedTimestamps: [Int64] = []
        for sequence in spooled {
            let path = bed.directory + "/agent/spool/" + String(format: "%020llu", sequence) + ".batch"
            let batch = try BatchCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            if let uptime = batch.series.first(where: { $0.metric == "uptime_seconds" }) {
                expectedTimestamps += uptime.points.map(\.timestampMs)
            }
        }
        #expect(expectedTimestamps.count == spooled.count)

        server = try bed.startServer()
        defer { server.terminate() }
        agent = try bed.startAgent()
        defer { agent.terminate() }
        try waitUntil("the spool replayed", timeout: 30) { !bed.spooled().contains(spooled.last!) }

        let platformID = try #require(try bed.platforms().first?["id"] as? String)
        let stored = Set(try bed.samples(platformID: platformID, metric: "uptime_seconds").map(\.0))
        for timestamp in expectedTimestamps {
            #expect(stored.contains(timestamp), "sample at \(timestamp) from the spool was replayed")
        }
    }
}
