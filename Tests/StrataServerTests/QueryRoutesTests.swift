import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer
@testable import StrataWire

/// Remote-writes `series` (as the bootstrap admin unless `headers` say otherwise).
func write(_ client: any TestClientProtocol, _ series: [(labels: [(String, String)], samples: [(Int64, Double)])],
           headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
    try await client.execute(uri: "/api/v1/write", method: .post, headers: headers,
                             body: ByteBuffer(bytes: Snappy.compress(ProtoWriter.writeRequest(series))))
}

private func get(_ client: any TestClientProtocol, _ uri: String) async throws -> TestResponse {
    try await client.execute(uri: uri, method: .get, headers: ServerHarness.adminBasic)
}

private func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
}

@Test func queryRouteSelectsManySeriesWithFunctionsAndHidesOtherTenants() async throws {
    let harness = try ServerHarness()
    let engine = harness.server.store
    try await harness.test { client in
        let start = Int64(Date().timeIntervalSince1970 * 1000) / 600_000 * 600_000 - 30 * 60_000
        // Two counters on two instances, one reset; one gauge.
        var aSamples: [(Int64, Double)] = []
        var bSamples: [(Int64, Double)] = []
        for step in 0..<30 as Range<Int64> {
            aSamples.append((start + step * 60_000, Double(step * 10)))
            bSamples.append((start + step * 60_000, Double(step < 15 ? step * 5 : (step - 15) * 5)))
        }
        let response = try await write(client, [
            (labels: [("__name__", "http_requests_total"), ("instance", "a:80"), ("job", "web")], samples: aSamples),
            (labels: [("__name__", "http_requests_total"), ("instance", "b:80"), ("job", "web")], samples: bSamples),
            (labels: [("__name__", "temperature_celsius"), ("instance", "a:80"), ("job", "web")], samples: [(start, 21.5)]),
        ])
        #expect(response.status == .noContent)
        // A series of another tenant, written straight into the engine, must never show.
        try await engine.append([SeriesSamples(seriesID: StableID(parts: ["other"]), samples: [Sample(start, 1)],
                                               labels: ["__name__": "http_requests_total", "__tenant__": "other", "instance": "c:80"])])

        let selector = encoded(#"http_requests_total{job="web"}"#)
        let rate = try await get(client, "/api/v1/query?select=\(selector)&from=\(start)&to=\(start + 29 * 60_000)&step=10m&fn=increase")
        #expect(rate.status == .ok)
        let data = rate.data as? [String: Any]
        #expect(data?["resolution"] as? String == "1m", "a 10 m step is answered from the 1 min level")
        let series = data?["series"] as? [[String: Any]] ?? []
        #expect(series.count == 2, "the other tenant's series is not selected")
        let byInstance = Dictionary(uniqueKeysWithValues: series.map { (($0["labels"] as? [String: String])?["instance"] ?? "", $0) })
        let aPoints = (byInstance["a:80"]?["points"] as? [[Double]]) ?? []
        let bPoints = (byInstance["b:80"]?["points"] as? [[Double]]) ?? []
        #expect(aPoints.map { $0[1] } == [90, 100, 100], "first step counts from its first sample, then 10 per minute")
        #expect(bPoints.map { $0[1] } == [45, 45, 50], "the reset at minute 15 restarts from 0 instead of going negative")
        #expect((byInstance["a:80"]?["labels"] as? [String: String])?["__tenant__"] == nil, "internal labels are hidden")

        let last = try await get(client, "/api/v1/query?select=temperature_celsius&from=\(start)&to=\(start + 60_000)&step=1m&resolution=raw")
        let lastSeries = (last.data as? [String: Any])?["series"] as? [[String: Any]]
        #expect((lastSeries?.first?["points"] as? [[Double]])?.first?[1] == 21.5)

        let names = try await get(client, "/api/v1/labels")
        #expect((names.data as? [String]) == ["__name__", "instance", "job"])
        let values = try await get(client, "/api/v1/labels/instance/values")
        #expect((values.data as? [String]) == ["a:80", "b:80"])

        for (uri, fragment) in [
            ("/api/v1/query", "select is required"),
            ("/api/v1/query?select=\(encoded("up{"))", "select:"),
            ("/api/v1/query?select=up&fn=median", "median"),
            ("/api/v1/query?select=up&resolution=5m", "auto, raw, 1m, 1h"),
            ("/api/v1/query?select=up&from=10&to=5", "after"),
            ("/api/v1/query?select=up&from=0&to=100000000000&step=1s", "steps per series"),
        ] {
            let refused = try await get(client, uri)
            #expect(refused.status == .badRequest, "\(uri)")
            let message = String(buffer: refused.body)
            #expect(message.contains(fragment), "\(uri): \(message)")
        }
    }
}

@Test func remoteWrittenSeriesAttachToTheirPlatformOrToASourceResource() async throws {
    let harness = try ServerHarness()
    try await harness.test { client in
        // An agent reports platform "host-m1".
        let batch = try await upload(client, BatchCodec.encode(testBatch(sequence: 1)))
        #expect(batch.status == .ok)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let response = try await write(client, [
            (labels: [("__name__", "node_load1"), ("instance", "HOST-M1.example.com:9100"), ("job", "node")], samples: [(now, 0.5)]),
            (labels: [("__name__", "app_requests_total"), ("instance", "10.9.9.9:8080"), ("job", "app")], samples: [(now, 7)]),
        ])
        #expect(response.status == .noContent)
        await harness.server.registrar.waitUntilIdle()
        let platforms = (try await get(client, "/api/v1/resources?kind=platform").data as? [[String: Any]]) ?? []
        let platformID = platforms.first?["id"] as? String ?? ""
        let platformSeries = (try await get(client, "/api/v1/resources/\(platformID)/series").data as? [[String: Any]]) ?? []
        #expect(platformSeries.contains { $0["metric"] as? String == "node_load1" }, "instance host-m1.example.com:9100 names platform host-m1")
        let sources = (try await get(client, "/api/v1/resources?kind=source").data as? [[String: Any]]) ?? []
        #expect(sources.map { $0["naturalKey"] as? String } == ["app/10.9.9.9:8080"])
        let sourceID = sources.first?["id"] as? String ?? ""
        let sourceSeries = (try await get(client, "/api/v1/resources/\(sourceID)/series").data as? [[String: Any]]) ?? []
        #expect(sourceSeries.first?["type"] as? String == "counter")
        #expect((sourceSeries.first?["labels"] as? [String: String]) == ["instance": "10.9.9.9:8080", "job": "app"])
        let seriesID = sourceSeries.first?["id"] as? String ?? ""
        let samples = (try await get(client, "/api/v1/series/\(seriesID)/samples?from=\(now - 1000)&to=\(now + 1000)").data as? [String: Any])
        #expect((samples?["samples"] as? [[Double]])?.first?[1] == 7, "the attached series serves its samples")
        let events = (try await get(client, "/api/v1/events").data as? [[String: Any]]) ?? []
        #expect(events.contains { ($0["message"] as? String ?? "").contains("source app/10.9.9.9:8080 discovered") })
    }
}

/// Issue 17: `from` and `to` took only Unix ms, so docs needed shell arithmetic; now also `now`, a duration
/// before now and RFC 3339, and anything else is a 400 that lists the forms.
@Test func queryWindowsTakeRelativeAndRFC3339TimesBesideUnixMilliseconds() throws {
    let now: Int64 = 1_764_669_600_000  // 2025-12-02T10:00:00Z
    #expect(try QueryString("from=-10m").window(defaultSpanMs: 3_600_000, nowMs: now) == (now - 600_000, now))
    #expect(try QueryString("from=10m&to=now-1m").window(defaultSpanMs: 0, nowMs: now) == (now - 600_000, now - 60_000))
    #expect(try QueryString("from=2025-12-02T09:00:00Z&to=2025-12-02T09:30:00.500Z").window(defaultSpanMs: 0, nowMs: now)
            == (now - 3_600_000, now - 1_800_000 + 500))
    #expect(try QueryString("from=1000&to=2000").window(defaultSpanMs: 0, nowMs: now) == (1000, 2000))
    #expect(try QueryString("from=%201000&to=2000%20").window(defaultSpanMs: 0, nowMs: now) == (1000, 2000), "spaced Unix ms as before")
    #expect(throws: QueryString.Invalid.self) { try QueryString("from=yesterday").window(defaultSpanMs: 0, nowMs: now) }
    #expect(throws: QueryString.Invalid.self) { try QueryString("from=now-99999999999d").window(defaultSpanMs: 0, nowMs: now) }
}
