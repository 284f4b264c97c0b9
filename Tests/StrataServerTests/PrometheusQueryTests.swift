import Foundation
import Hummingbird
import HummingbirdTesting
import StrataCore
import StrataTSDB
import Testing
@testable import StrataServer

/// PromQL through `/prometheus/api/v1/query`, `query_range` and `format_query`: answers in Prometheus's shapes by
/// GET and form POST, its error types and statuses, and tenants apart.
@Suite struct PrometheusQueryTests {
    static func get(_ client: any TestClientProtocol, _ path: String, _ parameters: [(String, String)],
                    _ headers: HTTPFields = ServerHarness.adminBasic) async throws -> TestResponse {
        try await client.execute(uri: path + "?" + form(parameters), method: .get, headers: headers)
    }

    static func form(_ parameters: [(String, String)]) -> String {
        parameters.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" }.joined(separator: "&")
    }

    /// A counter of two instances at 15 s for 10 minutes ending at `end`, and a gauge.
    static func seed(_ client: any TestClientProtocol, end: Int64) async throws {
        let times = stride(from: end - 600_000, through: end, by: 15_000).map { $0 }
        let written = try await write(client, [
            (labels: [("__name__", "requests_total"), ("job", "api"), ("instance", "a")], samples: times.enumerated().map { ($1, Double($0) * 10) }),
            (labels: [("__name__", "requests_total"), ("job", "api"), ("instance", "b")], samples: times.enumerated().map { ($1, Double($0) * 20) }),
            (labels: [("__name__", "temperature"), ("room", "lab")], samples: times.map { ($0, 21.5) }),
        ])
        #expect(written.status == .noContent, "\(String(buffer: written.body))")
    }

    @Test func instantQueriesAnswerVectorsScalarsStringsAndMatrices() async throws {
        let end = (WallClock.nowMs() / 1000 - 60) * 1000
        try await ServerHarness().test { client in
            try await Self.seed(client, end: end)
            let time = String(Double(end) / 1000)
            let rate = try await Self.get(client, "/prometheus/api/v1/query", [("query", "sum by (job) (rate(requests_total[5m]))"), ("time", time)])
            #expect(rate.status == .ok, "\(String(buffer: rate.body))")
            let data = rate.data as? [String: Any]
            #expect(data?["resultType"] as? String == "vector")
            let result = data?["result"] as? [[String: Any]]
            #expect(result?.first?["metric"] as? [String: String] == ["job": "api"])
            let value = result?.first?["value"] as? [Any]
            #expect((value?.first as? Double).map { Int64(($0 * 1000).rounded()) } == end)
            #expect(value?.last as? String == "2", "10/15 + 20/15 per second, exactly as Prometheus extrapolates")

            let scalar = try await Self.get(client, "/prometheus/api/v1/query", [("query", "1 / 8"), ("time", "100.5")])
            // Prometheus writes the milliseconds of a timestamp with three digits (jsonutil.MarshalTimestamp).
            #expect(String(buffer: scalar.body) == #"{"status":"success","data":{"resultType":"scalar","result":[100.500,"0.125"]}}"#)
            let string = try await Self.get(client, "/prometheus/api/v1/query", [("query", "\"hi\""), ("time", "7")])
            #expect(String(buffer: string.body) == #"{"status":"success","data":{"resultType":"string","result":[7,"hi"]}}"#)
            let infinite = try await Self.get(client, "/prometheus/api/v1/query", [("query", "vector(1e300) * 10"), ("time", "7")])
            #expect(String(buffer: infinite.body).contains(#"[7,"1e+301"]"#))
            let matrix = try await Self.get(client, "/prometheus/api/v1/query", [("query", "temperature[1m]"), ("time", time)])
            let series = (matrix.data as? [String: Any])?["result"] as? [[String: Any]]
            #expect((matrix.data as? [String: Any])?["resultType"] as? String == "matrix")
            #expect((series?.first?["values"] as? [Any])?.count == 5, "a 1m window over a 15 s grid is closed at both ends")
        }
    }

    @Test func rangeQueriesAnswerMatricesByGetAndFormPost() async throws {
        let end = (WallClock.nowMs() / 1000 - 60) * 1000
        try await ServerHarness().test { client in
            try await Self.seed(client, end: end)
            let parameters = [("query", "requests_total{instance=\"a\"} * 2"), ("start", String(Double(end - 120_000) / 1000)),
                              ("end", String(Double(end) / 1000)), ("step", "1m")]
            var headers = ServerHarness.adminBasic
            headers[.contentType] = "application/x-www-form-urlencoded"
            let posted = try await client.execute(uri: "/prometheus/api/v1/query_range", method: .post, headers: headers,
                                                  body: ByteBuffer(string: Self.form(parameters)))
            let fetched = try await Self.get(client, "/prometheus/api/v1/query_range", parameters)
            #expect(String(buffer: posted.body) == String(buffer: fetched.body))
            let data = fetched.data as? [String: Any]
            #expect(data?["resultType"] as? String == "matrix")
            let series = data?["result"] as? [[String: Any]]
            #expect(series?.first?["metric"] as? [String: String] == ["instance": "a", "job": "api"], "arithmetic drops the name")
            let values = series?.first?["values"] as? [[Any]]
            #expect(values?.map { $0.last as? String } == ["640", "720", "800"])
        }
    }

    @Test func errorsHavePrometheusTypesAndStatuses() async throws {
        try await ServerHarness().test { client in
            let time = String(WallClock.nowMs() / 1000)
            let cases: [(path: String, parameters: [(String, String)], status: Int, type: String, error: String?)] = [
                ("query", [("query", "up +")], 400, "bad_data", #"invalid parameter "query": 1:5: parse error: unexpected end of input"#),
                ("query", [("query", "up"), ("time", "yesterday")], 400, "bad_data", #"invalid parameter "time": cannot parse "yesterday" to a valid timestamp"#),
                ("query", [("query", "up"), ("timeout", "soon")], 400, "bad_data", #"invalid parameter "timeout": cannot parse "soon" to a valid duration"#),
                ("query_range", [("query", "up"), ("start", "10"), ("end", "20"), ("step", "0")], 400, "bad_data",
                 #"invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer"#),
                ("query_range", [("query", "up"), ("start", "0"), ("end", "100000"), ("step", "1")], 400, "bad_data",
                 "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"),
                ("query_range", [("query", "up[5m]"), ("start", "0"), ("end", "100"), ("step", "10")], 400, "bad_data",
                 #"invalid expression type "range vector" for range query, must be Scalar or instant Vector"#),
                ("query", [("query", "topk(scalar(nothing), vector(1))"), ("time", time)], 422, "execution", "Scalar value NaN overflows int64"),
                ("query", [("query", "label_replace(vector(1), \"x\", \"$1\", \"y\", \"(\")"), ("time", time)], 422, "execution", nil),
            ]
            for probe in cases {
                let response = try await Self.get(client, "/prometheus/api/v1/" + probe.path, probe.parameters)
                #expect(Int(response.status.code) == probe.status, "\(probe.parameters): \(String(buffer: response.body))")
                #expect(response.json["errorType"] as? String == probe.type)
                if let error = probe.error { #expect(response.json["error"] as? String == error) }
            }
        }
    }

    @Test func anotherTenantQueriesNoneOfTheSeries() async throws {
        let end = (WallClock.nowMs() / 1000 - 60) * 1000
        try await ServerHarness().test { client in
            try await Self.seed(client, end: end)
            let tenant = try await post(client, "/api/v1/tenants", #"{"id":"beta","name":"Beta","adminUsername":"boss"}"#, ServerHarness.adminBasic)
            let boss = basic("boss@beta", (tenant.data as? [String: Any])?["adminPassword"] as? String ?? "")
            let time = String(Double(end) / 1000)
            let mine = try await Self.get(client, "/prometheus/api/v1/query", [("query", "count(requests_total)"), ("time", time)])
            #expect(((mine.data as? [String: Any])?["result"] as? [[String: Any]])?.count == 1)
            let theirs = try await Self.get(client, "/prometheus/api/v1/query", [("query", "count(requests_total)"), ("time", time)], boss)
            #expect(theirs.status == .ok)
            #expect(((theirs.data as? [String: Any])?["result"] as? [Any])?.isEmpty == true)
            let hidden = try await Self.get(client, "/prometheus/api/v1/query", [("query", "{__tenant__=\"default\"}"), ("time", time)], boss)
            #expect(((hidden.data as? [String: Any])?["result"] as? [Any])?.isEmpty == true, "the tenant label cannot be escaped")
        }
    }

    @Test func formatQueryPrintsAsPrometheusDoes() async throws {
        try await ServerHarness().test { client in
            let printed = try await Self.get(client, "/prometheus/api/v1/format_query", [("query", "sum(rate(x[5m]))by(job)")])
            #expect(printed.data as? String == "sum by (job) (rate(x[5m]))")
            let bad = try await Self.get(client, "/prometheus/api/v1/format_query", [("query", "sum(")])
            #expect(bad.status == .badRequest && bad.json["errorType"] as? String == "bad_data")
        }
    }
}

extension PrometheusQueryTests {
    @Test func aLabelWithAnEmptyValueIsNotStoredAsPrometheusStoresNone() async throws {
        let now = WallClock.nowMs() - 5_000
        try await ServerHarness().test { client in
            let written = try await write(client, [
                (labels: [("__name__", "odd"), ("empty", ""), ("job", "x")], samples: [(now, 1)]),
            ])
            #expect(written.status == .noContent)
            let series = try await client.execute(uri: "/prometheus/api/v1/series?match%5B%5D=odd", method: .get, headers: ServerHarness.adminBasic)
            #expect(series.data as? [[String: String]] == [["__name__": "odd", "job": "x"]])
            let selected = try await Self.get(client, "/prometheus/api/v1/query", [("query", "odd{empty=\"\"}"), ("time", String(Double(now) / 1000))])
            #expect(((selected.data as? [String: Any])?["result"] as? [Any])?.count == 1, "a missing label matches the empty value")
        }
    }
}
