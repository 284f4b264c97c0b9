import Foundation
import HummingbirdTesting
import NIOCore
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// Issue 17: remote-written jobs join the server or platform an agent found for them and take availability from
/// `up`; their series are typed from Prometheus's metadata.
@Suite struct RemoteWriteInventoryTests {
    /// A batch for platform `host-MACHINE` running an exporter on `port`.
    static func exporterBatch(agent: String, machine: String, port: Int64, sequence: UInt64 = 1) -> AgentBatch {
        var batch = testBatch(agent: agent, sequence: sequence, machine: machine, start: WallClock.nowMs() - 60_000)
        batch.resources.append(ResourceReport(kind: .server, key: "exporter:\(port)", name: "node_exporter :\(port)", parentIndex: 0,
                                              properties: .map([("type", .string("exporter")), ("ports", .list([.int(port)]))])))
        return batch
    }

    static func write(_ client: any TestClientProtocol, _ series: [(labels: [(String, String)], samples: [(Int64, Double)])],
                      metadata: [UInt8] = []) async throws {
        let body = Snappy.compress(ProtoWriter.writeRequest(series) + metadata)
        let response = try await client.execute(uri: "/api/v1/write", method: .post, headers: ServerHarness.adminBasic, body: ByteBuffer(bytes: body))
        #expect(response.status == .noContent, "\(String(buffer: response.body))")
    }

    static func resources(_ client: any TestClientProtocol, kind: String) async throws -> [[String: Any]] {
        let response = try await client.execute(uri: "/api/v1/resources?kind=\(kind)", method: .get, headers: ServerHarness.adminBasic)
        return response.data as? [[String: Any]] ?? []
    }

    static func series(_ client: any TestClientProtocol, of id: String) async throws -> [[String: Any]] {
        let response = try await client.execute(uri: "/api/v1/resources/\(id)/series", method: .get, headers: ServerHarness.adminBasic)
        return response.data as? [[String: Any]] ?? []
    }

    static func events(_ client: any TestClientProtocol, of id: String) async throws -> [String] {
        let response = try await client.execute(uri: "/api/v1/events?resource=\(id)", method: .get, headers: ServerHarness.adminBasic)
        return (response.data as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
    }

    @Test func aScrapeTargetJoinsTheAgentsServerAndItsHistogramIsTypedFromMetadata() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let uploaded = try await upload(client, BatchCodec.encode(Self.exporterBatch(agent: "agent-a", machine: "m1", port: 9100)))
            #expect(uploaded.status == .ok, "\(uploaded.status) \(String(buffer: uploaded.body))")
            let now = WallClock.nowMs()
            let target = [("job", "node"), ("instance", "host-m1:9100")]
            var metadata = ProtoWriter()
            var family = ProtoWriter()
            family.key(1, 0); family.varint(5)            // SUMMARY
            family.string(2, "gc_seconds")
            metadata.message(3, family.bytes)
            try await Self.write(client, [(labels: [("__name__", "up")] + target, samples: [(now, 1)]),
                                          (labels: [("__name__", "req_seconds_bucket"), ("le", "0.5")] + target, samples: [(now, 3)]),
                                          (labels: [("__name__", "gc_seconds_count")] + target, samples: [(now, 7)])])
            await harness.server.registrar.waitUntilIdle()
            let server = try #require(try await Self.resources(client, kind: "server").first)
            let serverID = try #require(server["id"] as? String)
            var types = Dictionary(uniqueKeysWithValues: try await Self.series(client, of: serverID).map { ($0["metric"] as? String ?? "", $0["type"] as? String ?? "") })
            #expect(types["up"] == "gauge" && types["req_seconds_bucket"] == "histogram" && types["gc_seconds_count"] == "counter", "\(types)")
            #expect(try await Self.resources(client, kind: "source").isEmpty, "no source beside the server the agent found")

            try await Self.write(client, [], metadata: metadata.bytes)
            await harness.server.registrar.waitUntilIdle()
            types = Dictionary(uniqueKeysWithValues: try await Self.series(client, of: serverID).map { ($0["metric"] as? String ?? "", $0["type"] as? String ?? "") })
            #expect(types["gc_seconds_count"] == "summary", "the family's metadata retypes its series: \(types)")

            try await Self.write(client, [(labels: [("__name__", "up")] + target, samples: [(now + 15_000, 0)])])
            await harness.server.registrar.waitUntilIdle()
            let down = try #require(try await Self.resources(client, kind: "server").first)
            #expect(down["availability"] as? String == "down")
            #expect(try await Self.events(client, of: serverID).contains { $0.contains("is down: Prometheus cannot scrape it (job node)") })
        }
    }

    @Test func anUnknownTargetIsASourceWhoseAvailabilityFollowsUpAndThatJoinsAServerFoundLater() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let now = WallClock.nowMs()
            let target = [("__name__", "up"), ("job", "node"), ("instance", "host-m2:9100")]
            try await Self.write(client, [(labels: target, samples: [(now, 1)])])
            await harness.server.registrar.waitUntilIdle()
            let source = try #require(try await Self.resources(client, kind: "source").first)
            let sourceID = try #require(source["id"] as? String)
            #expect(source["name"] as? String == "host-m2:9100" && source["availability"] as? String == "up", "\(source)")

            try await Self.write(client, [(labels: target, samples: [(now + 15_000, Double(bitPattern: Sample.staleNaNBits))])])
            await harness.server.registrar.waitUntilIdle()
            #expect(try await Self.resources(client, kind: "source").first?["availability"] as? String == "unknown", "a stale target is unknown")

            // An agent on host-m2 reports its exporter: the source joins it with its series and history.
            let agentB = try await ServerHarness.enroll(client, agent: "agent-b", machine: "m2")
            let uploaded = try await upload(client, BatchCodec.encode(Self.exporterBatch(agent: "agent-b", machine: "m2", port: 9100)), headers: agentB)
            #expect(uploaded.status == .ok, "\(uploaded.status) \(String(buffer: uploaded.body))")
            await harness.server.registrar.reexamine()
            #expect(try await Self.resources(client, kind: "source").isEmpty)
            let server = try #require(try await Self.resources(client, kind: "server").first)
            let serverID = try #require(server["id"] as? String)
            #expect(try await Self.series(client, of: serverID).contains { $0["metric"] as? String == "up" })
            let history = try await Self.events(client, of: serverID)
            #expect(history.contains { $0.contains("node/host-m2:9100 joined server node_exporter :9100 with its series (was source host-m2:9100)") }, "\(history)")
            #expect(history.contains { $0.contains("discovered from remote write") }, "the source's history moved with it")
            _ = sourceID
        }
    }
}
