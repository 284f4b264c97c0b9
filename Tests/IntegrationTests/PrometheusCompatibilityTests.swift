import Foundation
import Testing

/// Issue 21: a real Prometheus 2.42 scraping a real node_exporter and itself, remote-writing to Strata. Its own
/// metrics queried through Strata's Prometheus API equal what it answers itself; `promtool query` works against
/// Strata with credentials in the URL; a second Prometheus federating from Strata gets the same series.
@Suite(.serialized) struct PrometheusCompatibilityTests {
    /// The same instant and range queries, by Prometheus's API, on two servers: JSON `data` of each.
    struct API {
        let base: String
        let credentials: String?

        func data(_ path: String, _ parameters: [String: String]) throws -> [String: Any] {
            var components = URLComponents(string: base + path)!
            components.queryItems = parameters.map { URLQueryItem(name: $0.key, value: $0.value) }
            let query = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
            var arguments = [base + path + "?" + query]
            if let credentials { arguments += ["-u", credentials] }
            let answer = try curl(arguments)
            guard let envelope = try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [String: Any],
                  envelope["status"] as? String == "success", let data = envelope["data"] as? [String: Any] else {
                throw HarnessError.api("\(path) \(parameters): \(answer.output.prefix(300))")
            }
            return data
        }

        /// Label set → [timestamp ms: value text] of an instant or range answer.
        func points(_ path: String, _ parameters: [String: String]) throws -> [String: [Int64: String]] {
            let data = try self.data(path, parameters)
            var out: [String: [Int64: String]] = [:]
            for series in data["result"] as? [[String: Any]] ?? [] {
                let labels = (series["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                let values = (series["values"] as? [[Any]]) ?? (series["value"].map { [$0 as? [Any] ?? []] } ?? [])
                for point in values where point.count == 2 {
                    let ms = Int64((((point[0] as? NSNumber)?.doubleValue ?? 0) * 1000).rounded())
                    out[labels, default: [:]][ms] = point[1] as? String
                }
            }
            return out
        }
    }

    /// Whether two answers hold the same series with values equal within a relative 1e-9.
    static func agree(_ left: [String: [Int64: String]], _ right: [String: [Int64: String]]) -> Bool {
        guard Set(left.keys) == Set(right.keys) else { return false }
        for (key, points) in left {
            guard let other = right[key], Set(points.keys) == Set(other.keys) else { return false }
            for (t, text) in points {
                let a = Double(text) ?? .nan, b = Double(other[t] ?? "") ?? .nan
                if a.isNaN && b.isNaN { continue }
                if a != b && abs(a - b) > 1e-9 * max(abs(a), abs(b)) { return false }
            }
        }
        return true
    }

    @Test func prometheusOwnMetricsThroughStrataEqualItsAnswersAndPromtoolAndFederationWork() throws {
        let bed = try Testbed("prometheus-compat")
        let server = try bed.startServer()
        defer { server.terminate() }
        let nodePort = try Testbed.freePort(), promPort = try Testbed.freePort(), federatorPort = try Testbed.freePort()
        let node = try StrataProcess(executable: "/usr/bin/prometheus-node-exporter",
                                     ["--web.listen-address=127.0.0.1:\(nodePort)", "--collector.disable-defaults", "--collector.cpu",
                                      "--collector.meminfo", "--collector.loadavg", "--collector.netdev", "--collector.stat"],
                                     logPath: bed.directory + "/node-exporter.log")
        defer { node.killTree() }
        try WebStack.write(Testbed.password, to: bed.directory + "/prometheus/password")
        try WebStack.write("""
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: prometheus
                static_configs: [{targets: ['127.0.0.1:\(promPort)']}]
              - job_name: node
                static_configs: [{targets: ['127.0.0.1:\(nodePort)']}]
            remote_write:
              - url: \(bed.url)/prometheus/api/v1/write
                basic_auth: {username: admin, password_file: \(bed.directory)/prometheus/password}
                queue_config: {batch_send_deadline: 1s}
            """, to: bed.directory + "/prometheus/prometheus.yml")
        let prometheus = try StrataProcess(executable: "/usr/bin/prometheus",
                                           ["--config.file=\(bed.directory)/prometheus/prometheus.yml", "--storage.tsdb.path=\(bed.directory)/prometheus/data",
                                            "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"], logPath: bed.directory + "/prometheus.log")
        defer { prometheus.killTree() }

        let reference = API(base: "http://127.0.0.1:\(promPort)/api/v1/", credentials: nil)
        let strata = API(base: bed.url + "/prometheus/api/v1/", credentials: "admin:\(Testbed.password)")
        try waitUntil("20 s of node_exporter's samples in Strata", timeout: 90) {
            let answer = try strata.points("query", ["query": "count_over_time(node_load1[1m])"])
            return answer.values.contains { ($0.values.first).flatMap(Double.init) ?? 0 >= 20 }
        }

        // Evaluated at a time a few seconds back, so remote write has delivered everything before it.
        let queries = [
            "up", "node_load1", "rate(node_cpu_seconds_total[10s])", "sum by (mode) (rate(node_cpu_seconds_total[10s]))",
            "count by (job) ({__name__=~\"node_.+|prometheus_.+\"})", "prometheus_tsdb_head_series",
            "rate(prometheus_http_requests_total[10s])",
            "histogram_quantile(0.9, sum by (le) (rate(prometheus_http_request_duration_seconds_bucket[15s])))",
            "node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes", "increase(node_network_receive_bytes_total[10s])",
        ]
        for query in queries {
            var agreed = false, last = ""
            let deadline = Date().addingTimeInterval(30)
            while !agreed && Date() < deadline {
                let at = Date().timeIntervalSince1970 - 8
                let instant = ["query": query, "time": String(format: "%.3f", at)]
                let range = ["query": query, "start": String(format: "%.3f", at - 15), "end": String(format: "%.3f", at), "step": "1"]
                let expected = try reference.points("query", instant), got = try strata.points("query", instant)
                let expectedRange = try reference.points("query_range", range), gotRange = try strata.points("query_range", range)
                last = "instant \(expected) vs \(got); range \(expectedRange.count) vs \(gotRange.count) series"
                agreed = !expected.isEmpty && Self.agree(expected, got) && Self.agree(expectedRange, gotRange)
                if !agreed { usleep(500_000) }
            }
            #expect(agreed, "\(query): \(last.prefix(1_500))")
        }

        // promtool, the way its documentation shows it, credentials in the URL.
        let url = "http://admin:\(Testbed.password)@127.0.0.1:\(bed.port)/prometheus"
        let instant = try runTool("/usr/bin/promtool", ["query", "instant", url, "up{job=\"node\"}"])
        #expect(instant.status == 0 && instant.output.contains("up{instance=\"127.0.0.1:\(nodePort)\", job=\"node\"} => 1 @["), "\(instant)")
        let now = Int(Date().timeIntervalSince1970)
        let range = try runTool("/usr/bin/promtool", ["query", "range", "--start=\(now - 30)", "--end=\(now - 10)", "--step=5s", url, "node_load1"])
        #expect(range.status == 0 && range.output.contains("node_load1{instance=\"127.0.0.1:\(nodePort)\", job=\"node\"} =>"), "\(range)")
        let series = try runTool("/usr/bin/promtool", ["query", "series", "--match=up", url])
        #expect(series.status == 0 && series.output.contains("__name__=\"up\"") && series.output.contains("job=\"prometheus\""), "\(series)")
        let labels = try runTool("/usr/bin/promtool", ["query", "labels", url, "job"])
        #expect(labels.status == 0 && labels.output.split(separator: "\n").contains("node"), "\(labels)")
        let wrong = try runTool("/usr/bin/promtool", ["query", "instant", "http://admin:wrong@127.0.0.1:\(bed.port)/prometheus", "up"])
        #expect(wrong.status != 0, "a wrong password is refused")

        // A second Prometheus federating node_exporter's series from Strata.
        try WebStack.write("""
            global: {scrape_interval: 1s}
            scrape_configs:
              - job_name: strata-federate
                honor_labels: true
                metrics_path: /prometheus/federate
                params: {'match[]': ['{job="node"}']}
                basic_auth: {username: admin, password_file: \(bed.directory)/prometheus/password}
                static_configs: [{targets: ['127.0.0.1:\(bed.port)']}]
            """, to: bed.directory + "/federator/prometheus.yml")
        let federator = try StrataProcess(executable: "/usr/bin/prometheus",
                                          ["--config.file=\(bed.directory)/federator/prometheus.yml", "--storage.tsdb.path=\(bed.directory)/federator/data",
                                           "--web.listen-address=127.0.0.1:\(federatorPort)", "--log.level=warn"], logPath: bed.directory + "/federator.log")
        defer { federator.killTree() }
        let federated = API(base: "http://127.0.0.1:\(federatorPort)/api/v1/", credentials: nil)
        try waitUntil("the federating Prometheus to hold node_exporter's series as Strata does", timeout: 60) {
            let mine = try federated.points("query", ["query": "count by (job, instance) ({job=\"node\"})"])
            let theirs = try strata.points("query", ["query": "count by (job, instance) ({job=\"node\"})"])
            let memory = try federated.points("query", ["query": "node_memory_MemTotal_bytes"])
            let memoryThere = try strata.points("query", ["query": "node_memory_MemTotal_bytes"])
            return !mine.isEmpty && mine.mapValues { $0.values.first } == theirs.mapValues { $0.values.first }
                && !memory.isEmpty && memory.mapValues { $0.values.first } == memoryThere.mapValues { $0.values.first }
        }
    }
}
