import StrataCore
import Testing
@testable import StrataWire

/// The series of a translation as "labels → samples" text, NaN and staleness markers spelled out.
private func rendered(_ translation: OTLPTranslation) -> [String: [String]] {
    var out: [String: [String]] = [:]
    for series in translation.series {
        let labels = series.labels.pairs.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        out[labels] = series.samples.map { sample in
            let value = Sample.isStaleMarker(sample.value) ? "stale" : sample.value.isNaN ? "NaN" : "\(sample.value)"
            return "\(sample.timestampMs):\(value)"
        }
    }
    return out
}

@Test func everyKindOfMetricMapsToThePrometheusSeriesTheTranslatorWouldWrite() {
    let translation = OTLPTranslator().translate(otlpSample)
    let t0 = "1700000000000", t1 = "1700000010000"
    let service = "instance=pod-1,job=checkout"
    #expect(translation.rejectedPoints == 0)
    #expect(rendered(translation) == [
        "__name__=queue_depth,\(service),queue=q1": ["\(t0):7.0", "\(t1):7.5"],
        "__name__=queue_depth,\(service),queue=q2": ["\(t1):stale"],
        "__name__=http_requests_total,\(service)": ["\(t1):42.0"],
        "__name__=http_server_duration_milliseconds_bucket,\(service),le=10": ["\(t1):1.0"],
        "__name__=http_server_duration_milliseconds_bucket,\(service),le=100": ["\(t1):3.0"],
        "__name__=http_server_duration_milliseconds_bucket,\(service),le=+Inf": ["\(t1):6.0"],
        "__name__=http_server_duration_milliseconds_sum,\(service)": ["\(t1):123.5"],
        "__name__=http_server_duration_milliseconds_count,\(service)": ["\(t1):6.0"],
        // Exponential, scale 0 (base 2): negative bucket 1 is [-4, -2), zero bucket, positive (1, 2] and (2, 4].
        "__name__=latency_seconds_bucket,\(service),le=-2": ["\(t1):1.0"],
        "__name__=latency_seconds_bucket,\(service),le=0": ["\(t1):2.0"],
        "__name__=latency_seconds_bucket,\(service),le=2": ["\(t1):3.0"],
        "__name__=latency_seconds_bucket,\(service),le=4": ["\(t1):5.0"],
        "__name__=latency_seconds_bucket,\(service),le=+Inf": ["\(t1):5.0"],
        "__name__=latency_seconds_sum,\(service)": ["\(t1):9.0"],
        "__name__=latency_seconds_count,\(service)": ["\(t1):5.0"],
        "__name__=rpc_latency,\(service),quantile=0.5": ["\(t1):1.5"],
        "__name__=rpc_latency,\(service),quantile=0.99": ["\(t1):NaN"],
        "__name__=rpc_latency_sum,\(service)": ["\(t1):20.0"],
        "__name__=rpc_latency_count,\(service)": ["\(t1):10.0"],
        "__name__=target_info,blob=AQL/,build={\"rev\":\"x\"},canary=true,host_name=web-1,\(service),replicas=-3,tags=[\"a\",1],weight=0.25":
            ["\(t1):1.0"],
    ])
    #expect(translation.metadata.map { "\($0.family) \($0.type.name)" } == [
        "queue_depth gauge", "http_requests_total counter", "http_server_duration_milliseconds histogram", "latency_seconds histogram",
        "rpc_latency summary", "target_info gauge",
    ])
    #expect(translation.metadata[1].help == "Requests served")
}

@Test func metricNamesGetUnitsAndSuffixesAsPrometheusNormalisesThem() {
    let cases: [(String, String, OTLPNames.Kind, String)] = [
        ("http.server.duration", "ms", .other, "http_server_duration_milliseconds"),
        ("system.network.io", "By", .counter, "system_network_io_bytes_total"),
        ("requests_total", "1", .counter, "requests_total"),
        ("requests.total.count", "", .counter, "requests_count_total"),
        ("cpu.utilization", "1", .gauge, "cpu_utilization_ratio"),
        ("cpu.utilization", "1", .other, "cpu_utilization"),
        ("speed", "m/s", .gauge, "speed_meters_per_second"),
        ("throughput", "{packets}/s", .gauge, "throughput_per_second"),
        ("queue.length", "{items}", .gauge, "queue_length"),
        ("2xx.responses", "", .gauge, "_2xx_responses"),
        ("foo__bar--baz", "", .gauge, "foo_bar_baz"),
        ("memory", "MiBy", .gauge, "memory_mebibytes"),
        ("temperature", "Cel", .gauge, "temperature_celsius"),
        ("seconds.used", "s", .gauge, "seconds_used"),
        ("widgets", "crates", .gauge, "widgets_crates"),
        ("...", "", .gauge, ""),
    ]
    for (name, unit, kind, expected) in cases {
        #expect(OTLPNames.metricName(name, unit: unit, kind: kind) == expected, "\(name) [\(unit)]")
    }
    let labels: [(String, String)] = [("http.method", "http_method"), ("2xx", "key_2xx"), ("_private", "key_private"),
                                      ("__internal", "__internal"), ("héllo", "h_llo"), ("ok_name", "ok_name")]
    for (key, expected) in labels { #expect(OTLPNames.labelName(key) == expected, "\(key)") }
}

@Test func deltaTemporalityAndMalformedPointsAreRefusedAndCountedWhileTheRestIsKept() {
    let time: UInt64 = 1_700_000_000_000_000_000
    let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(metrics: [
        OTLPMetric(name: "deltas", data: .sum([OTLPNumberPoint(timeUnixNano: time, value: 1), OTLPNumberPoint(timeUnixNano: time + 1, value: 2)],
                                              temporality: .delta, monotonic: true)),
        OTLPMetric(name: "delta.histogram", data: .histogram([OTLPHistogramPoint(timeUnixNano: time, count: 1)], temporality: .delta)),
        OTLPMetric(name: "untimed", data: .gauge([OTLPNumberPoint(timeUnixNano: 0, value: 1)])),
        OTLPMetric(name: "lopsided", data: .histogram([OTLPHistogramPoint(timeUnixNano: time, count: 1, bucketCounts: [1], bounds: [1, 2])],
                                                      temporality: .cumulative)),
        OTLPMetric(name: "unsorted", data: .histogram([OTLPHistogramPoint(timeUnixNano: time, count: 1, bucketCounts: [1, 0, 0], bounds: [2, 1])],
                                                      temporality: .cumulative)),
        OTLPMetric(name: "wild.scale", data: .exponentialHistogram([OTLPExponentialHistogramPoint(timeUnixNano: time, scale: 40)],
                                                                   temporality: .cumulative)),
        OTLPMetric(name: "kept", data: .gauge([OTLPNumberPoint(timeUnixNano: time, value: .nan)])),
    ])])
    let translation = OTLPTranslator().translate(request)
    #expect(translation.rejectedPoints == 7)
    #expect(translation.errorMessage.contains("delta temporality"))
    #expect(translation.errorMessage.contains("no time_unix_nano"))
    #expect(translation.errorMessage.contains("bucket counts"))
    #expect(rendered(translation) == ["__name__=kept": ["1700000000000:NaN"]], "a NaN value is kept as a value, not a marker")
    #expect(translation.series.first.map { Sample.isStaleMarker($0.samples[0].value) } == false)
}

@Test func resourceAndJoinLabelsWinOverPointAttributesAndCollidingKeysAreJoined() {
    let request = OTLPMetricsRequest(resources: [OTLPResourceMetrics(
        attributes: [OTLPAttribute("service.name", .string("api")), OTLPAttribute("service.namespace", .string("shop"))],
        metrics: [OTLPMetric(name: "g", data: .gauge([OTLPNumberPoint(attributes: [
            OTLPAttribute("job", .string("mine")), OTLPAttribute("a_b", .string("2")), OTLPAttribute("a.b", .string("1")),
            OTLPAttribute("resource_id", .string("forged")), OTLPAttribute("__tenant__", .string("other")), OTLPAttribute("empty", .string("")),
        ], timeUnixNano: 1_000_000, value: 1)]))])])
    let join = [Label("resource_id", "00000000000000aa"), Label("resource_kind", "platform"), Label("resource_name", "web-1")]
    let translation = OTLPTranslator(resourceLabels: [0: join]).translate(request)
    #expect(rendered(translation) == [
        "__name__=g,a_b=1;2,job=shop/api,resource_id=00000000000000aa,resource_kind=platform,resource_name=web-1": ["1:1.0"],
    ])
}

@Test func wideExponentialHistogramsAreDownscaledToABoundedNumberOfBuckets() {
    let point = OTLPExponentialHistogramPoint(timeUnixNano: 1_000_000, count: 1000, scale: 20, zeroCount: 0,
                                              positive: OTLPExponentialBuckets(offset: 1_000_000, counts: Array(repeating: 1, count: 1000)))
    let buckets = ExponentialBuckets.classic(point, maxBuckets: OTLPTranslator.maxExponentialBuckets)
    #expect(buckets.count <= OTLPTranslator.maxExponentialBuckets + 1)
    #expect(buckets.last?.1 == 1000, "every count is kept")
    #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.0 < $1.0 && $0.1 <= $1.1 })
    let hostile = OTLPExponentialHistogramPoint(timeUnixNano: 1, count: 2, scale: -10, zeroCount: 0,
                                                positive: OTLPExponentialBuckets(offset: Int32.min, counts: [1, 1]),
                                                negative: OTLPExponentialBuckets(offset: Int32.max, counts: [1]))
    let extreme = ExponentialBuckets.classic(hostile, maxBuckets: 160)
    #expect(extreme.allSatisfy { $0.0.isFinite })
}

@Test func labelTextMatchesGoForNumbers() {
    let cases: [(Double, String)] = [(0.25, "0.25"), (1e21, "1000000000000000000000"), (1e-7, "0.0000001"), (-2, "-2"), (100, "100"),
                                     (1.0905077326652577, "1.0905077326652577"), (.infinity, "+Inf"), (0, "0")]
    for (value, text) in cases { #expect(OTLPText.fixed(value) == text, "\(value)") }
}
