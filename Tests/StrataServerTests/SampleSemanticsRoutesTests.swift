import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// Issue 18 through Strata's own read routes (`/api/v1/query`, which `strata query` prints, and
/// `/api/v1/series/{id}/samples`): a staleness marker ends a series and is never a value, a real NaN is the
/// string "NaN" (docs/api.md), an all-NaN series is returned, and both routes stamp a step bucket alike.
@Suite struct SampleSemanticsRoutesTests {
    private func get(_ client: any TestClientProtocol, _ uri: String) async throws -> [String: Any] {
        let response = try await client.execute(uri: uri, method: .get, headers: ServerHarness.adminBasic)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return response.data as? [String: Any] ?? [:]
    }

    /// `[[timestamp, value]]` with a value that may be the string "NaN".
    private func points(_ array: Any?) -> [(Int64, String)] {
        (array as? [[Any]] ?? []).map { pair in
            let time = (pair.first as? NSNumber)?.int64Value ?? -1
            let value = pair.last.map { ($0 as? String) ?? "\(($0 as? NSNumber)?.doubleValue ?? -1)" } ?? ""
            return (time, value)
        }
    }

    private func series(_ data: [String: Any], named name: String) -> [String: Any]? {
        (data["series"] as? [[String: Any]])?.first { ($0["labels"] as? [String: String])?["__name__"] == name }
    }

    @Test func markersEndSeriesRealNaNsAreTheStringNaNAndStepBucketsAgreeAcrossRoutes() async throws {
        let harness = try ServerHarness()
        try await harness.test { client in
            let start = Int64(Date().timeIntervalSince1970 * 1000) / 600_000 * 600_000 - 20 * 60_000
            let stale = Double(bitPattern: Sample.staleNaNBits)
            let response = try await write(client, [
                (labels: [("__name__", "gc_seconds"), ("quantile", "0.5"), ("job", "app")],
                 samples: (0..<6).map { (start + Int64($0) * 10_000, Double.nan) }),
                (labels: [("__name__", "temperature"), ("job", "app")],
                 samples: [(start, 1), (start + 10_000, 2), (start + 20_000, stale), (start + 90_000, 5)]),
                (labels: [("__name__", "requests_total"), ("job", "app")],
                 samples: (0..<12).map { (start + 5_000 + Int64($0) * 10_000, Double(100 + $0 * 3)) }),
            ])
            #expect(response.status == .noContent)
            let window = "from=\(start)&to=\(start + 110_000)"

            let byStep = try await get(client, "/api/v1/query?select=temperature&\(window)&step=10s&fn=last&resolution=raw")
            let temperature = points(series(byStep, named: "temperature")?["points"])
            #expect(temperature.map(\.0) == [start, start + 10_000, start + 90_000], "the marker ends the series until its next sample")
            #expect(temperature.map(\.1) == ["1.0", "2.0", "5.0"])

            let nan = try await get(client, "/api/v1/query?select=gc_seconds&\(window)&step=1m&fn=last")
            let quantile = series(nan, named: "gc_seconds")
            #expect(quantile != nil, "an all-NaN series is returned")
            #expect(points(quantile?["points"]).map(\.1) == ["NaN"], "a real NaN is the string NaN")
            let seriesID = quantile?["id"] as? String ?? ""
            let raw = try await get(client, "/api/v1/series/\(seriesID)/samples?\(window)")
            #expect(points(raw["samples"]).map(\.1) == Array(repeating: "NaN", count: 6), "every stored NaN is a value")

            let gauge = series(byStep, named: "temperature")?["id"] as? String ?? ""
            let gaugeSamples = try await get(client, "/api/v1/series/\(gauge)/samples?\(window)")
            #expect(points(gaugeSamples["samples"]).map(\.1) == ["1.0", "2.0", "5.0"], "the marker is never returned as a value")

            // One bucket rule: the same series at a 30 s step through both routes, stamped with the bucket's start.
            let counterQuery = try await get(client, "/api/v1/query?select=requests_total&\(window)&step=30s&fn=last&resolution=raw")
            let counter = series(counterQuery, named: "requests_total")
            let stepped = try await get(client, "/api/v1/series/\(counter?["id"] as? String ?? "")/samples?\(window)&step=30s")
            let fromQuery = points(counter?["points"]), fromSamples = points(stepped["samples"])
            #expect(fromQuery.map(\.0) == [start, start + 30_000, start + 60_000, start + 90_000], "stamped with each bucket's start")
            #expect(fromQuery.map(\.0) == fromSamples.map(\.0) && fromQuery.map(\.1) == fromSamples.map(\.1), "\(fromQuery) \(fromSamples)")
        }
    }
}
