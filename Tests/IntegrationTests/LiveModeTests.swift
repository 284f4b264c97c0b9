import Foundation
import Testing

/// Live mode end to end (docs/api.md "Live mode"): a real server and a real agent collecting every 5 s; a 10 s watch
/// on the platform makes the agent collect every second until the watch expires, then every 5 s again. Everything is
/// judged by the samples' own timestamps in the store.
@Suite(.serialized) struct LiveModeTests {
    /// Gaps between consecutive sample times.
    static func gaps(_ times: [Int64]) -> [Int64] {
        zip(times.dropFirst(), times).map { $0 - $1 }
    }

    @Test func aWatchedPlatformIsCollectedEverySecondAndAtItsIntervalAgainOnceTheWatchExpires() throws {
        let bed = try Testbed("live-mode")
        let server = try bed.startServer()
        defer { server.terminate() }
        let agent = try bed.startAgent(interval: "5s")
        defer { agent.terminate() }
        var platformID = ""
        func cpu() throws -> [Int64] {
            try bed.samples(platformID: platformID, metric: "cpu_seconds_total", labels: ["mode": "user"]).map(\.0)
        }
        try waitUntil("the platform and four CPU samples", timeout: 60) {
            guard let id = try bed.platforms().first?["id"] as? String else { return false }
            platformID = id
            return try cpu().count >= 4
        }
        // The first collection is at the start; the later ones at multiples of 5 s.
        let before = try cpu().dropFirst()
        #expect(Self.gaps(Array(before)).allSatisfy { $0 >= 4_000 }, "every 5 s before anyone watches: \(Self.gaps(Array(before)))")

        // Samples from 1.5 s after the request on are the agent's answer to it (it looks every second).
        let requestedMs = Int64(Date().timeIntervalSince1970 * 1000)
        let watch = try bed.send("POST", "/api/v1/resources/\(platformID)/live", json: #"{"seconds": 10}"#) as? [String: Any] ?? [:]
        #expect(watch["platform"] as? String == platformID && (watch["intervalMs"] as? NSNumber)?.intValue == 1000, "\(watch)")
        let untilMs = try #require((watch["untilMs"] as? NSNumber)?.int64Value)
        // The agent's window ends by its own clock a moment after the server's untilMs; 5 s collections after that.
        try waitUntil("three samples well after the watch's end", timeout: 60) {
            try cpu().filter { $0 > untilMs + 2_000 }.count >= 3
        }
        let times = try cpu()
        let during = times.filter { $0 > requestedMs + 1_500 && $0 <= untilMs }
        let fast = Self.gaps(during)
        // Every second, not every 5 s: most gaps about a second and none near 5 s. One collection delayed on a loaded
        // machine (a 1.6 s gap once failed CI) still reads as the 1 s cadence; a 5 s one cannot pass.
        let typical = fast.isEmpty ? Int64.max : fast.sorted()[fast.count / 2]
        #expect(during.count >= 5 && typical <= 1_500 && fast.allSatisfy { $0 < 4_000 },
                "every second while watched: \(during.count) samples, gaps \(fast)")
        let after = times.filter { $0 > untilMs + 2_000 }
        #expect(Self.gaps(after).allSatisfy { $0 >= 4_000 }, "every 5 s again once the watch expired: \(Self.gaps(after))")
        #expect(try bed.platforms().first?["availability"] as? String == "up", "the switch back does not make the agent overdue")
    }
}
