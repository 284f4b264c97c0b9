import Foundation
import StrataAgent
import StrataCore
import Testing

/// kill -9 of the server in a loop while batches are being written: every acknowledged sample survives.
/// The head is persisted every 30 s of data (every 6 batches), so kills also land during block writing,
/// block transactions, WAL cuts and segment removal; every third stop is graceful instead (SIGTERM while
/// requests are in flight), which persists the head and trims the WAL at rest, so restarts also begin from a
/// trimmed log (issue 18).
@Suite(.serialized) struct CrashLoopTests {
    static let shortBlocks = ["STRATA_BLOCK_DURATION": "30s"]

    @Test func killNineDuringIngestLosesNoAcknowledgedSample() throws {
        let bed = try Testbed("crash-loop")
        var server = try bed.startServer(environment: Self.shortBlocks)
        defer { server.terminate() }
        let client = try HTTPClient(baseURL: bed.url)
        let credential = try bed.enroll(agentID: "crash-loop-agent", platformKey: "machine-id:crashloop")
        let seriesCount = 20
        // Six hours back: within the server's time bounds (no sample may be more than 10 minutes ahead of its clock).
        let start = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 6 * 3_600_000
        var acknowledged: [String: [Int64: Double]] = [:]
        var sequence: UInt64 = 0
        var pending: AgentBatch?
        var kills = 0

        func batch(_ sequence: UInt64) -> AgentBatch {
            let series = (0..<seriesCount).map { index in
                SeriesPoints(resourceIndex: 0, metric: "crash_metric", type: .gauge, labels: ["n": String(index)],
                             points: (0..<5).map { point in
                                 let timestamp = start + Int64(sequence) * 5_000 + Int64(point) * 1_000
                                 return Sample(timestamp, Double(sequence) * 10 + Double(point) + Double(index) / 100)
                             })
            }
            return AgentBatch(agentID: "crash-loop-agent", sequence: sequence, createdAtMs: start, intervalMs: 1000,
                              agentVersion: "test", resources: [ResourceReport(kind: .platform, key: "machine-id:crashloop", name: "crashloop")],
                              series: series)
        }

        while kills < 6 {
            // Kill the server at a random moment while requests are in flight.
            let victim = server.process.processIdentifier
            let signal = kills % 3 == 2 ? SIGTERM : SIGKILL
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int.random(in: 150...600))) { kill(victim, signal) }
            while server.isRunning {
                if pending == nil {
                    sequence += 1
                    pending = batch(sequence)
                }
                guard let current = pending else { break }
                let response = try? client.send(method: "POST", path: "/api/agent/v1/batches", headers: [
                    ("Authorization", "Bearer \(credential)"), ("Content-Type", "application/x-strata-batch"),
                ], body: BatchCodec.encode(current))
                guard let status = response?.status else { continue }
                #expect(status == 200 || status == 409, "batch \(current.sequence) got \(status)")
                for series in current.series {
                    for point in series.points { acknowledged[series.labels["n"]!, default: [:]][point.timestampMs] = point.value }
                }
                pending = nil
            }
            server.process.waitUntilExit()
            kills += 1
            server = try bed.startServer(environment: Self.shortBlocks)
        }

        let platform = try #require(try bed.platforms().first { $0["name"] as? String == "crashloop" }?["id"] as? String)
        var checked = 0
        for (label, expected) in acknowledged {
            let stored = Dictionary(try bed.samples(platformID: platform, metric: "crash_metric", labels: ["n": label]),
                                    uniquingKeysWith: { first, _ in first })
            for (timestamp, value) in expected {
                #expect(stored[timestamp] == value, "acknowledged sample n=\(label) t=\(timestamp)")
                checked += 1
            }
        }
        #expect(kills == 6)
        #expect(checked > 0)
        let rawBlocks = (try? FileManager.default.contentsOfDirectory(atPath: bed.directory + "/server/tsdb/blocks/raw")) ?? []
        #expect(rawBlocks.filter { !$0.hasPrefix(".") }.count >= 3, "heads were persisted as blocks between the kills")
        print("crash loop: \(kills) kills, \(sequence) batches sent, \(checked) acknowledged samples checked")
    }
}
