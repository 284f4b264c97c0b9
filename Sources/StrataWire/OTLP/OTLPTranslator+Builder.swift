import StrataCore

extension OTLPTranslator {
    /// Collects series while the translator walks a request: one entry per label set, samples in point order.
    struct Builder {
        var result = OTLPTranslation()
        /// The current resource's `job`, `instance` and join labels.
        var resource: [Label] = []
        /// The newest point time of the current resource, for its `target_info` sample.
        var newestMs: Int64?
        private var index: [Labels: Int] = [:]
        private var families: Set<String> = []

        mutating func add(_ metric: OTLPMetric) {
            switch metric.data {
            case .none: return
            case .gauge(let points):
                guard let name = named(metric, .gauge, .gauge, count: points.count) else { return }
                for point in points { number(name, point) }
            case let .sum(points, temporality, monotonic):
                guard cumulative(metric, temporality, count: points.count) else { return }
                let kind: OTLPNames.Kind = monotonic ? .counter : .other
                guard let name = named(metric, kind, monotonic ? .counter : .gauge, count: points.count) else { return }
                for point in points { number(name, point) }
            case let .histogram(points, temporality):
                guard cumulative(metric, temporality, count: points.count),
                      let name = named(metric, .other, .histogram, count: points.count) else { return }
                for point in points { histogram(name, point) }
            case let .exponentialHistogram(points, temporality):
                guard cumulative(metric, temporality, count: points.count),
                      let name = named(metric, .other, .histogram, count: points.count) else { return }
                for point in points { exponential(name, point) }
            case .summary(let points):
                guard let name = named(metric, .other, .summary, count: points.count) else { return }
                for point in points { summary(name, point) }
            }
        }

        /// The metric's Prometheus name (its family's metadata recorded once), or nil after refusing its points.
        private mutating func named(_ metric: OTLPMetric, _ kind: OTLPNames.Kind, _ type: MetricType, count: Int) -> String? {
            let name = OTLPNames.metricName(metric.name, unit: metric.unit, kind: kind)
            guard !name.isEmpty else {
                reject(count, "a metric without a name (or with no letters or digits in it) was dropped")
                return nil
            }
            if families.insert(name).inserted {
                result.metadata.append(MetricMetadata(family: name, type: type, help: metric.description, unit: metric.unit))
            }
            return name
        }

        private mutating func cumulative(_ metric: OTLPMetric, _ temporality: OTLPTemporality, count: Int) -> Bool {
            switch temporality {
            case .cumulative: return true
            case .delta:
                reject(count, "metric \(metric.name.prefix(200)) has delta temporality, which Strata does not store: "
                    + "configure the exporter for cumulative temporality (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=cumulative)")
            case .unspecified:
                reject(count, "metric \(metric.name.prefix(200)) has no aggregation temporality")
            }
            return false
        }

        mutating func reject(_ count: Int, _ reason: String) {
            guard count > 0 else { return }
            result.rejectedPoints += count
            if result.problems.count < OTLPTranslator.maxProblems && !result.problems.contains(reason) { result.problems.append(reason) }
        }

        /// The time of a point in ms, or nil after refusing it (no time given).
        private mutating func time(_ nanoseconds: UInt64, _ name: String) -> Int64? {
            guard nanoseconds > 0 else {
                reject(1, "a point of \(name.prefix(200)) has no time_unix_nano")
                return nil
            }
            let ms = Int64(nanoseconds / 1_000_000)
            newestMs = max(newestMs ?? ms, ms)
            return ms
        }

        private mutating func number(_ name: String, _ point: OTLPNumberPoint) {
            guard let ms = time(point.timeUnixNano, name) else { return }
            let labels = OTLPTranslator.attributeLabels(point.attributes)
            append(labels, name, ms, stale(point.flags) ?? point.value)
        }

        private mutating func histogram(_ name: String, _ point: OTLPHistogramPoint) {
            guard point.bucketCounts.isEmpty || point.bucketCounts.count == point.bounds.count + 1 else {
                reject(1, "a point of \(name.prefix(200)) has \(point.bucketCounts.count) bucket counts for \(point.bounds.count) bounds (needs bounds + 1)")
                return
            }
            guard zip(point.bounds, point.bounds.dropFirst()).allSatisfy({ $0 < $1 }), !point.bounds.contains(where: \.isNaN) else {
                reject(1, "a point of \(name.prefix(200)) has explicit bounds that do not increase")
                return
            }
            guard let ms = time(point.timeUnixNano, name) else { return }
            let labels = OTLPTranslator.attributeLabels(point.attributes)
            let marker = stale(point.flags)
            var buckets: [(Double, Double)] = []
            var cumulative = 0.0
            for (bound, count) in zip(point.bounds, point.bucketCounts) {
                cumulative += Double(count)
                buckets.append((bound, cumulative))
            }
            classic(name, labels, ms, marker, buckets: buckets, count: Double(point.count), sum: point.sum)
        }

        private mutating func exponential(_ name: String, _ point: OTLPExponentialHistogramPoint) {
            guard (-10...20).contains(point.scale) else {
                reject(1, "a point of \(name.prefix(200)) has scale \(point.scale), outside -10…20")
                return
            }
            guard let ms = time(point.timeUnixNano, name) else { return }
            let buckets = ExponentialBuckets.classic(point, maxBuckets: OTLPTranslator.maxExponentialBuckets)
            classic(name, OTLPTranslator.attributeLabels(point.attributes), ms, stale(point.flags), buckets: buckets,
                    count: Double(point.count), sum: point.sum)
        }

        /// `_bucket{le}` for each (bound, cumulative count), `+Inf` with `count`, `_sum` when given, `_count`.
        private mutating func classic(_ name: String, _ labels: [Label], _ ms: Int64, _ marker: Double?, buckets: [(Double, Double)],
                                      count: Double, sum: Double?) {
            for (bound, cumulative) in buckets where bound.isFinite {
                append(labels + [Label("le", OTLPText.fixed(bound))], name + "_bucket", ms, marker ?? cumulative)
            }
            append(labels + [Label("le", "+Inf")], name + "_bucket", ms, marker ?? count)
            if let sum { append(labels, name + "_sum", ms, marker ?? sum) }
            append(labels, name + "_count", ms, marker ?? count)
        }

        private mutating func summary(_ name: String, _ point: OTLPSummaryPoint) {
            guard let ms = time(point.timeUnixNano, name) else { return }
            let labels = OTLPTranslator.attributeLabels(point.attributes)
            let marker = stale(point.flags)
            for quantile in point.quantiles {
                append(labels + [Label("quantile", OTLPText.fixed(quantile.quantile))], name, ms, marker ?? quantile.value)
            }
            append(labels, name + "_sum", ms, marker ?? point.sum)
            append(labels, name + "_count", ms, marker ?? Double(point.count))
        }

        /// `target_info` with the resource's other attributes, at its newest point time (as Prometheus writes it).
        mutating func addTargetInfo(_ resource: OTLPResourceMetrics) {
            guard let newestMs else { return }
            let labels = OTLPTranslator.attributeLabels(resource.attributes, excluding: ["service.name", "service.namespace", "service.instance.id"])
            guard !labels.isEmpty else { return }
            if families.insert("target_info").inserted {
                result.metadata.append(MetricMetadata(family: "target_info", type: .gauge, help: "Target metadata"))
            }
            append(labels, "target_info", newestMs, 1)
        }

        /// The staleness marker when the point says it has no recorded value.
        private func stale(_ flags: UInt32) -> Double? {
            flags & OTLPFlags.noRecordedValue != 0 ? Double(bitPattern: Sample.staleNaNBits) : nil
        }

        /// One sample of the series named `name` with `labels`, the resource's labels over them.
        private mutating func append(_ labels: [Label], _ name: String, _ ms: Int64, _ value: Double) {
            // Later labels win: the resource's over the point's, the name over both.
            var merged: [String: String] = [:]
            for label in labels + resource { merged[label.name] = label.value }
            merged[Labels.metricName] = name
            let set = Labels(merged.map { Label($0.key, $0.value) })
            let sample = Sample(ms, value)
            if let position = index[set] {
                result.series[position].samples.append(sample)
            } else {
                index[set] = result.series.count
                result.series.append(OTLPSeries(labels: set, samples: [sample]))
            }
        }
    }
}
