import StrataCore

/// The summary of one series over one rollup bucket: min, max, sum, count and last of its samples.
///
/// Staleness markers are not summarised (they end a series, they are no value); a real NaN is a value, as in
/// Prometheus: it makes `sum` NaN and counts, `min` and `max` skip it unless every sample is NaN, `last` may be it. `lastTimestamp` is the time of the newest sample in the bucket; it is what the
/// chunks store, and it decides `last` when two partial buckets of the same period are combined (samples
/// that arrive late are persisted separately and meet their bucket again at read time or in compaction).
public struct RollupBucket: Sendable, Equatable {
    /// Start of the period (a multiple of the resolution; for raw data, the sample's own timestamp).
    public var start: Int64
    /// Timestamp of the newest sample summarised.
    public var lastTimestamp: Int64
    /// Smallest sample.
    public var min: Double
    /// Largest sample.
    public var max: Double
    /// Sum of the samples.
    public var sum: Double
    /// Number of samples.
    public var count: Double
    /// Value of the newest sample.
    public var last: Double

    /// A bucket holding one sample.
    public init(start: Int64, sample: Sample) {
        self.start = start
        lastTimestamp = sample.timestampMs
        min = sample.value
        max = sample.value
        sum = sample.value
        count = 1
        last = sample.value
    }

    /// A bucket from its stored columns.
    init(start: Int64, lastTimestamp: Int64, min: Double, max: Double, sum: Double, count: Double, last: Double) {
        self.start = start
        self.lastTimestamp = lastTimestamp
        self.min = min
        self.max = max
        self.sum = sum
        self.count = count
        self.last = last
    }

    /// Adds a sample newer than every sample already in the bucket.
    mutating func add(_ sample: Sample) {
        min = Self.lower(min, sample.value)
        max = Self.higher(max, sample.value)
        sum += sample.value
        count += 1
        lastTimestamp = sample.timestampMs
        last = sample.value
    }

    /// The smaller of two values, a NaN giving way to a number (Prometheus's `min_over_time`).
    static func lower(_ a: Double, _ b: Double) -> Double { a.isNaN || b < a ? b : a }

    /// The larger of two values, a NaN giving way to a number (Prometheus's `max_over_time`).
    static func higher(_ a: Double, _ b: Double) -> Double { a.isNaN || b > a ? b : a }

    /// Combines a partial bucket of the same period holding other samples.
    mutating func combine(_ other: RollupBucket) {
        min = Self.lower(min, other.min)
        max = Self.higher(max, other.max)
        sum += other.sum
        count += other.count
        if other.lastTimestamp > lastTimestamp {
            lastTimestamp = other.lastTimestamp
            last = other.last
        }
    }
}

/// The five columns of a rollup block, by their on-disk column number.
enum RollupColumn: Int, CaseIterable {
    case min = 0, max, sum, count, last
}

/// Computing and merging rollup buckets.
enum Rollup {
    /// Buckets of `resolutionMs` over `samples` (sorted by time, unique timestamps). Resolution 0 makes one
    /// bucket per sample. Staleness markers are skipped; real NaNs are values.
    static func buckets(_ samples: [Sample], resolutionMs: Int64) -> [RollupBucket] {
        var result: [RollupBucket] = []
        result.reserveCapacity(resolutionMs == 0 ? samples.count : 16)
        for sample in samples where !sample.isStaleMarker {
            let start = resolutionMs == 0 ? sample.timestampMs : alignDown(sample.timestampMs, resolutionMs)
            if let last = result.last, last.start == start {
                result[result.count - 1].add(sample)
            } else {
                result.append(RollupBucket(start: start, sample: sample))
            }
        }
        return result
    }

    /// Merges bucket lists, each sorted by `start`, combining buckets of the same period.
    static func merge(_ parts: [[RollupBucket]]) -> [RollupBucket] {
        let nonEmpty = parts.filter { !$0.isEmpty }
        guard nonEmpty.count > 1 else { return nonEmpty.first ?? [] }
        var all = nonEmpty.flatMap { $0 }
        all.sort { $0.start < $1.start }
        var result: [RollupBucket] = []
        result.reserveCapacity(all.count)
        for bucket in all {
            if let last = result.last, last.start == bucket.start {
                result[result.count - 1].combine(bucket)
            } else {
                result.append(bucket)
            }
        }
        return result
    }

    /// The columns a rollup block stores for `buckets`: `columns` without those that say nothing `last` does not —
    /// min, max or sum bit-equal to last in every bucket (one sample per bucket; a counter's max), a count of 1 in
    /// every bucket — which are left empty, not written, and derived again when read (`derive`). So data scraped
    /// once a minute costs about one column at 1 m instead of five.
    static func storedColumns(_ buckets: [RollupBucket]) -> [[Sample]] {
        var columns = self.columns(buckets)
        let last = columns[RollupColumn.last.rawValue]
        for column in [RollupColumn.min, .max, .sum] where zip(columns[column.rawValue], last).allSatisfy({ $0.value.bitPattern == $1.value.bitPattern }) {
            columns[column.rawValue] = []
        }
        if buckets.allSatisfy({ $0.count == 1 }) { columns[RollupColumn.count.rawValue] = [] }
        return columns
    }

    /// Fills the `derived` columns (not stored) from the `last` column: min, max and sum equal to it, count 1.
    static func derive(_ derived: [RollupColumn], in columns: inout [[Sample]]) {
        guard !derived.isEmpty else { return }  // raw blocks, and rollups storing every column
        let last = columns[RollupColumn.last.rawValue]
        for column in derived where column != .last {
            columns[column.rawValue] = column == .count ? last.map { Sample($0.timestampMs, 1) } : last
        }
    }

    /// Per column, samples stamped with each bucket's `lastTimestamp`.
    static func columns(_ buckets: [RollupBucket]) -> [[Sample]] {
        var columns = [[Sample]](repeating: [], count: RollupColumn.allCases.count)
        for index in columns.indices { columns[index].reserveCapacity(buckets.count) }
        for bucket in buckets {
            columns[RollupColumn.min.rawValue].append(Sample(bucket.lastTimestamp, bucket.min))
            columns[RollupColumn.max.rawValue].append(Sample(bucket.lastTimestamp, bucket.max))
            columns[RollupColumn.sum.rawValue].append(Sample(bucket.lastTimestamp, bucket.sum))
            columns[RollupColumn.count.rawValue].append(Sample(bucket.lastTimestamp, bucket.count))
            columns[RollupColumn.last.rawValue].append(Sample(bucket.lastTimestamp, bucket.last))
        }
        return columns
    }

    /// Buckets back from stored columns (all columns carry the same timestamps). An empty column (one a
    /// query did not need) reads as NaN.
    static func buckets(columns: [[Sample]], resolutionMs: Int64) throws(ChunkError) -> [RollupBucket] {
        guard columns.count == RollupColumn.allCases.count else { throw .corrupt("\(columns.count) rollup columns") }
        guard let reference = columns.first(where: { !$0.isEmpty }) else { return [] }
        guard columns.allSatisfy({ $0.isEmpty || $0.count == reference.count }) else { throw .corrupt("rollup columns of unequal length") }
        func value(_ column: RollupColumn, _ index: Int) -> Double {
            let samples = columns[column.rawValue]
            return samples.isEmpty ? .nan : samples[index].value
        }
        var result: [RollupBucket] = []
        result.reserveCapacity(reference.count)
        for index in reference.indices {
            let time = reference[index].timestampMs
            result.append(RollupBucket(
                start: alignDown(time, resolutionMs), lastTimestamp: time,
                min: value(.min, index), max: value(.max, index), sum: value(.sum, index),
                count: value(.count, index), last: value(.last, index)))
        }
        return result
    }
}
