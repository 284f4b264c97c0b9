import StrataCore

/// One reading taken by a collector: a metric, its labels and a value at the sink's timestamp.
public struct Reading: Sendable, Equatable {
    /// Metric name, e.g. `memory_available_bytes`.
    public var metric: String
    /// Gauge or counter.
    public var type: MetricType
    /// Labels within the resource, e.g. `device="vda"`.
    public var labels: Labels
    /// The value.
    public var value: Double
}

/// Collects the readings of one collection pass.
public struct MetricSink: Sendable {
    /// Readings in the order they were added.
    public private(set) var readings: [Reading] = []

    /// Creates an empty sink.
    public init() {}

    /// Adds a gauge reading.
    public mutating func gauge(_ metric: String, _ value: Double, _ labels: Labels = Labels()) {
        readings.append(Reading(metric: metric, type: .gauge, labels: labels, value: value))
    }

    /// Adds a counter reading (a monotonically increasing total, name ends in `_total`).
    public mutating func counter(_ metric: String, _ value: Double, _ labels: Labels = Labels()) {
        readings.append(Reading(metric: metric, type: .counter, labels: labels, value: value))
    }

    /// Adds a reading as it is.
    public mutating func append(_ reading: Reading) {
        readings.append(reading)
    }

    /// Drops the readings whose metric name is in `names` (e.g. a scraped exporter's own `process_*`,
    /// which the agent measures itself).
    public mutating func remove(metricsNamed names: Set<String>) {
        readings.removeAll { names.contains($0.metric) }
    }

    /// The first reading of `metric` whose labels contain all of `labels`.
    public func value(_ metric: String, _ labels: Labels = Labels()) -> Double? {
        readings.first { reading in
            reading.metric == metric && labels.pairs.allSatisfy { reading.labels[$0.name] == $0.value }
        }?.value
    }
}
