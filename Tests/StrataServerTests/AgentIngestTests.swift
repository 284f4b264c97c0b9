import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import Testing
@testable import StrataServer

/// Uploads `body` as agent `agent-a` of platform `machine-id:m1` (enrolling it first), or with `headers`.
func upload(_ client: any TestClientProtocol, _ body: [UInt8], headers: HTTPFields? = nil) async throws -> TestResponse {
    var fields = headers
    if fields == nil { fields = try await ServerHarness.defaultAgentHeaders(client) }
    return try await client.execute(uri: "/api/agent/v1/batches", method: .post, headers: fields ?? [:], body: ByteBuffer(bytes: body))
}

func storedSamples(_ client: any TestClientProtocol) async throws -> [[Double]] {
    let resources = try await client.execute(uri: "/api/v1/resources?kind=platform", method: .get, headers: ServerHarness.adminBasic)
    guard let platform = (resources.data as? [[String: Any]])?.first, let id = platform["id"] as? String else { return [] }
    let series = try await client.execute(uri: "/api/v1/resources/\(id)/series", method: .get, headers: ServerHarness.adminBasic)
    guard let seriesID = (series.data as? [[String: Any]])?.first?["id"] as? String else { return [] }
    let samples = try await client.execute(uri: "/api/v1/series/\(seriesID)/samples?from=0&to=9999999999999", method: .get,
                                           headers: ServerHarness.adminBasic)
    return ((samples.data as? [String: Any])?["samples"] as? [[Any]] ?? []).map { $0.compactMap { ($0 as? NSNumber)?.doubleValue } }
}

@Test func acknowledgedBatchIsStoredAndReplayIsIgnored() async throws {
    try await ServerHarness().test { client in
        let body = BatchCodec.encode(testBatch(sequence: 1))
        let first = try await upload(client, body)
        #expect(first.status == .ok)
        #expect((first.data as? [String: Any])?["samples"] as? Int == 1)
        let replay = try await upload(client, body)
        #expect(replay.status == .conflict)
        #expect(replay.json["errorType"] as? String == "conflict")
        let status1 = try await upload(client, BatchCodec.encode(testBatch(sequence: 2))).status
        #expect(status1 == .ok)
        let value2 = try await storedSamples(client).count
        #expect(value2 == 2)
    }
}

@Test func badBatchesGetA4xxAndDamageNothing() async throws {
    try await ServerHarness(maxBatchBytes: 64 << 10).test { client in
        let status3 = try await upload(client, BatchCodec.encode(testBatch(sequence: 1))).status
        #expect(status3 == .ok)
        let before = try await storedSamples(client)
        let good = BatchCodec.encode(testBatch(sequence: 2), compression: .none)

        let malformed = try await upload(client, Array("not a batch at all".utf8))
        #expect(malformed.status == .badRequest)
        #expect((malformed.json["error"] as? String)?.contains("STRA") == true)
        let truncated = try await upload(client, Array(good.prefix(good.count - 3)))
        #expect(truncated.status == .badRequest)
        #expect((truncated.json["error"] as? String)?.contains("truncated") == true)
        var future = good
        future[4] = 2
        let status4 = try await upload(client, future).status
        #expect(status4 == .badRequest)
        let oversized = try await upload(client, BatchCodec.encode(testBatch(sequence: 3, points: 20_000), compression: .none))
        #expect(oversized.status == .contentTooLarge)
        #expect(oversized.json["errorType"] as? String == "too_large")
        let unauthenticated = try await upload(client, good, headers: [.authorization: "Bearer wrong"])
        #expect(unauthenticated.status == .unauthorized)
        let status5 = try await upload(client, BatchCodec.encode(testBatch(sequence: 1))).status
        #expect(status5 == .conflict)

        let value6 = try await storedSamples(client)
        #expect(value6 == before, "nothing stored was damaged")
        let status7 = try await upload(client, good).status
        #expect(status7 == .ok, "the server keeps serving")
        let value8 = try await storedSamples(client).count
        #expect(value8 == before.count + 1)
    }
}

@Test func inventoryAPIListsShowsAndSteps() async throws {
    try await ServerHarness().test { client in
        for sequence in 1...3 as ClosedRange<UInt64> {
            let status9 = try await upload(client, BatchCodec.encode(testBatch(sequence: sequence, points: 5))).status
            #expect(status9 == .ok)
        }
        let list = try await client.execute(uri: "/api/v1/resources?kind=platform&q=HOST-M", method: .get, headers: ServerHarness.adminBasic)
        let resources = list.data as? [[String: Any]] ?? []
        #expect(resources.count == 1)
        let platform = resources.first ?? [:]
        #expect(platform["name"] as? String == "host-m1")
        #expect(platform["parentId"] is NSNull)
        #expect((platform["properties"] as? [String: Any])?["hostname"] as? String == "host-m1")
        let id = platform["id"] as? String ?? ""

        let shown = try await client.execute(uri: "/api/v1/resources/\(id)", method: .get, headers: ServerHarness.adminBasic)
        #expect((shown.data as? [String: Any])?["children"] as? [Any] != nil)
        #expect((shown.data as? [String: Any])?["parents"] as? [Any] != nil)

        let badKind = try await client.execute(uri: "/api/v1/resources?kind=spaceship", method: .get, headers: ServerHarness.adminBasic)
        #expect(badKind.status == .badRequest)
        let missing = try await client.execute(uri: "/api/v1/resources/ffffffffffffffff", method: .get, headers: ServerHarness.adminBasic)
        #expect(missing.status == .notFound)

        let series = try await client.execute(uri: "/api/v1/resources/\(id)/series", method: .get, headers: ServerHarness.adminBasic)
        let first = (series.data as? [[String: Any]])?.first ?? [:]
        #expect(first["metric"] as? String == "memory_used_bytes")
        #expect(first["labels"] as? [String: String] == [:])
        let seriesID = first["id"] as? String ?? ""
        let raw = try await storedSamples(client)
        #expect(raw.count == 15)
        let stepped = try await client.execute(uri: "/api/v1/series/\(seriesID)/samples?from=0&to=9999999999999&step=10",
                                               method: .get, headers: ServerHarness.adminBasic)
        #expect(stepped.status == .badRequest, "too many steps for the range")
        let narrow = try await client.execute(
            uri: "/api/v1/series/\(seriesID)/samples?from=\(testStartMs)&to=\(testStartMs + 30_000)&step=10s", method: .get,
            headers: ServerHarness.adminBasic)
        let points = (narrow.data as? [String: Any])?["samples"] as? [[NSNumber]] ?? []
        #expect(points.map { $0[1].doubleValue } == [1, 2, 3], "one point per 10 s step ending at `to`, the last sample in each")

        let events = try await client.execute(uri: "/api/v1/events?resource=\(id)", method: .get, headers: ServerHarness.adminBasic)
        #expect((events.data as? [[String: Any]])?.first?["kind"] as? String == "discovered")
    }
}

/// Issue 18: `/series/{id}/samples?step=` stamped a bucket with its end while `/query` stamped it with its start.
@Test func stepBucketsKeepTheLastSampleStampedWithTheBucketsStartAsQueriesDo() {
    let samples = [Sample(1, 1), Sample(9, 2), Sample(10, 3), Sample(11, 4), Sample(-1, 0)].sorted { $0.timestampMs < $1.timestampMs }
    #expect(ResourceRoutes.lastPerStep(samples, stepMs: 10) == [Sample(-10, 0), Sample(0, 2), Sample(10, 4)])
}
