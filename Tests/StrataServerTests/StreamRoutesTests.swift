import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import StrataCore
import StrataTSDB
import StrataWire
import Testing
@testable import StrataServer

/// `GET /api/v1/stream` on a live server, read by real sockets (`StreamClient`).
struct StreamRoutesTests {
    static let adminHeaders = ["Authorization": "Basic " + Data("admin:\(ServerHarness.password)".utf8).base64EncodedString()]

    /// `match[]=…` for each selector, percent-encoded.
    static func match(_ selectors: String...) -> String {
        selectors.map { "match%5B%5D=" + $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! }.joined(separator: "&")
    }

    /// The samples of `events`, as (metric name, job or nil, value) in order received.
    static func samples(_ events: [StreamClient.Event]) -> [(name: String, job: String?, value: Double)] {
        var found: [(name: String, job: String?, value: Double)] = []
        for event in events where event.name == "samples" {
            for series in event.json["series"] as? [[String: Any]] ?? [] {
                let labels = series["labels"] as? [String: String] ?? [:]
                for point in series["samples"] as? [[Any]] ?? [] {
                    found.append((labels["__name__"] ?? "", labels["job"], (point.last as? NSNumber)?.doubleValue ?? .nan))
                }
            }
        }
        return found
    }

    /// Opens a stream on the harness's live server and waits until the server has subscribed it.
    static func open(_ harness: ServerHarness, _ client: any TestClientProtocol, _ query: String, headers: [String: String] = adminHeaders,
                     reads: Bool = true) async throws -> StreamClient {
        let before = harness.server.streams.subscriberCount
        let stream = try StreamClient(port: client.port ?? 0, path: "/api/v1/stream?" + query, headers: headers, reads: reads)
        let deadline = ContinuousClock.now + .seconds(20)
        while harness.server.streams.subscriberCount == before, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return stream
    }

    @Test func aSubscriberGetsEachNewSampleOfItsSeriesFromRemoteWriteAndAgentBatchesAndNothingElse() async throws {
        let harness = try ServerHarness()
        try await harness.test(.live) { client in
            let created = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (created.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let stream = try await Self.open(harness, client, Self.match(#"up{job="a"}"#, "memory_used_bytes") + "&seconds=60")
            let now = WallClock.nowMs()
            var acknowledged: [ContinuousClock.Instant] = []
            for (step, value) in [1.0, 2, 3].enumerated() {
                // The first write brings the series' labels; later ones only its samples (the receiver knows it).
                #expect(try await write(client, [(labels: [("__name__", "up"), ("job", "a")], samples: [(now + Int64(step) * 1000, value)]),
                                                 (labels: [("__name__", "up"), ("job", "b")], samples: [(now + Int64(step) * 1000, 10 + value)])]).status == .noContent)
                acknowledged.append(.now)
                #expect(try await write(client, [(labels: [("__name__", "up"), ("job", "a")], samples: [(now + Int64(step) * 1000, 20 + value)])],
                                        headers: boss).status == .noContent)
            }
            #expect(try await upload(client, BatchCodec.encode(testBatch(sequence: 7))).status == .ok)
            let events = try await stream.wait { Self.samples($0).count >= 4 }
            let received = Self.samples(events)
            #expect(received.map(\.value) == [1, 2, 3, 7], "each sample of up{job=a}, then the agent's; not job b, not tenant beta: \(received)")
            #expect(received.map(\.name) == ["up", "up", "up", "memory_used_bytes"])
            let agentSeries = (events.last { $0.name == "samples" }?.json["series"] as? [[String: Any]])?.first
            let labels = agentSeries?["labels"] as? [String: String] ?? [:]
            #expect(labels["resource_name"] == "host-m1" && labels["resource_kind"] == "platform", "the agent's series carries its resource: \(labels)")
            #expect(!events.contains { $0.data.contains("__tenant__") }, "internal labels stay inside")
            #expect(events.filter { $0.name == "samples" }.allSatisfy { $0.id != nil }, "every samples event has an id to resume from")
            let delays = zip(acknowledged, events.filter { $0.name == "samples" }).map { $1.receivedAt - $0 }
            // 100 ms is the release build's goal (bench/stream_latency.py); a debug build on a busy machine gets slack.
            #expect(delays.allSatisfy { $0 < .seconds(2) }, "from acknowledgement to receipt: \(delays)")
            stream.close()
        }
    }

    @Test func aClientReconnectingWithLastEventIDGetsWhatItMissedAndAfterARestartAGap() async throws {
        let harness = try ServerHarness()
        try await harness.test(.live) { client in
            let now = WallClock.nowMs()
            func writeLoad(_ value: Double) async throws {
                let response = try await write(client, [(labels: [("__name__", "load")], samples: [(now + Int64(value) * 1000, value)])])
                #expect(response.status == .noContent)
            }
            let first = try await Self.open(harness, client, Self.match("load"))
            try await writeLoad(1)
            let seen = try await first.wait { Self.samples($0).count == 1 }
            let lastID = try #require(seen.last?.id)
            // The server notices a client gone at its next write (a heartbeat at the latest): no need to wait for that.
            first.close()
            try await writeLoad(2)
            try await writeLoad(3)
            let resumed = try await Self.open(harness, client, Self.match("load"), headers: Self.adminHeaders.merging(["Last-Event-ID": lastID]) { $1 })
            try await writeLoad(4)
            let events = try await resumed.wait { Self.samples($0).count >= 3 }
            #expect(Self.samples(events).map(\.value) == [2, 3, 4], "what it missed, then what is new; nothing twice")
            #expect(!events.contains { $0.name == "gap" })
            resumed.close()

            let stale = try await Self.open(harness, client, Self.match("load"), headers: Self.adminHeaders.merging(["Last-Event-ID": "1-1"]) { $1 })
            let afterRestart = try await stale.wait { Self.samples($0).count >= 4 }
            #expect(afterRestart.first?.name == "gap", "an id from another server life: a gap first")
            #expect(afterRestart.first?.json["lastEventId"] as? String == "1-1")
            #expect(Self.samples(afterRestart).map(\.value) == [1, 2, 3, 4], "then everything still held")
            stale.close()
        }
    }

    /// The acceptance's stalled subscriber: a client that never reads is dropped (its connection closed once its
    /// buffers are full and a write has waited `StreamSession.stallLimit`), while ingest goes on at its pace and a
    /// subscriber beside it gets every batch.
    @Test(.timeLimit(.minutes(2))) func aStalledSubscriberIsDroppedWhileIngestKeepsItsPaceAndOthersGetEverything() async throws {
        let harness = try ServerHarness()
        try await harness.test(.live) { client in
            let now = WallClock.nowMs()
            let series = 2_000
            func writeStep(_ step: Int) async throws -> Duration {
                let started = ContinuousClock.now
                let body = (0..<series).map { index in
                    (labels: [("__name__", "load"), ("cpu", "\(index)")], samples: [(now + Int64(step) * 10, Double(step))])
                }
                let response = try await write(client, body)
                #expect(response.status == .noContent)
                return ContinuousClock.now - started
            }
            let healthy = try await Self.open(harness, client, Self.match("load") + "&seconds=120")
            var alone: [Duration] = []
            for step in 0..<20 { alone.append(try await writeStep(step)) }
            let stalled = try await Self.open(harness, client, Self.match("load") + "&seconds=120", reads: false)
            var beside: [Duration] = []
            for step in 20..<60 { beside.append(try await writeStep(step)) }
            let deadline = ContinuousClock.now + .seconds(60)
            while harness.server.streams.subscriberCount > 1, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            #expect(harness.server.streams.subscriberCount == 1, "the stalled subscriber was dropped")
            let closed = await Task.detached { stalled.drainUntilClosed(timeout: 20) }.value
            #expect(closed.closed, "its connection was closed (after \(closed.bytes) bytes)")
            let events = try await healthy.wait(for: .seconds(60)) { Self.samples($0).count >= 60 * series }
            #expect(Self.samples(events).count == 60 * series, "the subscriber that reads got every sample")
            let median = { (durations: [Duration]) in durations.sorted()[durations.count / 2] }
            #expect(median(beside) < median(alone) * 3 + .milliseconds(50),
                    "a write took \(median(beside)) (median) beside the stalled subscriber, \(median(alone)) before it")
            healthy.close()
        }
    }

    @Test func aStreamEndsWhenItsTokenIsRevoked() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let created = try await post(client, "/api/v1/tokens", #"{"name":"watcher","scopes":["read"]}"#, ServerHarness.adminBasic)
            let token = (created.data as? [String: Any])?["token"] as? String ?? ""
            let id = (created.data as? [String: Any])?["id"] as? Int ?? -1
            async let stream = client.execute(uri: "/api/v1/stream?match[]=up&seconds=60", method: .get, headers: [.authorization: "Bearer \(token)"])
            let deadline = ContinuousClock.now + .seconds(20)
            while harness.server.streams.subscriberCount == 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            #expect(try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: ServerHarness.adminBasic).status == .ok)
            let started = ContinuousClock.now
            let response = try await stream
            let body = String(buffer: response.body)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(body.contains("event: revoked"), "the stream says why it ends: \(body)")
            #expect(ContinuousClock.now - started < .seconds(30), "it ended on revocation, not at its 60 s deadline")
            #expect(harness.server.streams.subscriberCount == 0)
        }
    }

    @Test func aStreamRequestWithoutAUsableSelectorOrWithABadParameterIsRefused() async throws {
        try await ServerHarness().test { client in
            for query in ["", Self.match(""), Self.match("up{"), Self.match(#"{__tenant__="beta"}"#), Self.match(#"{job=~".*"}"#),
                          Self.match("up") + "&seconds=0", Self.match("up") + "&seconds=3601", Self.match("up") + "&seconds=-9223372036854775808"] {
                let response = try await client.execute(uri: "/api/v1/stream?" + query, method: .get, headers: ServerHarness.adminBasic)
                #expect(response.status == .badRequest, "\(query): \(String(buffer: response.body))")
                #expect(response.json["errorType"] as? String == "bad_data", "\(query)")
            }
            var headers = ServerHarness.adminBasic
            headers[HTTPField.Name("Last-Event-ID")!] = "seven"
            let response = try await client.execute(uri: "/api/v1/stream?match[]=up", method: .get, headers: headers)
            #expect(response.status == .badRequest && String(buffer: response.body).contains("Last-Event-ID"))
        }
    }
}
