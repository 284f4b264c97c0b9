import StrataCore

/// What a range query computes for each step of each series.
public enum QueryFunction: String, Sendable, CaseIterable {
    /// The newest sample in the step.
    case last
    /// Mean of the samples in the step.
    case avg
    /// Smallest sample in the step.
    case min
    /// Largest sample in the step.
    case max
    /// Sum of the samples in the step.
    case sum
    /// Number of samples in the step.
    case count
    /// Counter increase over the step, per second (see `increase`).
    case rate
    /// Counter increase over the step: the sum of the rises between consecutive samples, from the last sample
    /// of the step before (within one step) to the last sample of this one, where a fall is a counter reset
    /// that restarts from 0.
    case increase
}

extension QueryFunction {
    /// The rollup columns the function reads.
    var columns: Set<Int> {
        switch self {
        case .last: return [RollupColumn.last.rawValue]
        case .rate, .increase: return [RollupColumn.last.rawValue, RollupColumn.min.rawValue]
        case .avg: return [RollupColumn.sum.rawValue, RollupColumn.count.rawValue]
        case .min: return [RollupColumn.min.rawValue]
        case .max: return [RollupColumn.max.rawValue]
        case .sum: return [RollupColumn.sum.rawValue]
        case .count: return [RollupColumn.count.rawValue]
        }
    }
}

/// A query over many series at once: which series, which window, what per step, at which resolution.
public struct RangeQuery: Sendable {
    /// The series: all matchers must hold.
    public var matchers: [LabelMatcher]
    /// Window start, Unix ms (inclusive; aligned down to a multiple of `stepMs`).
    public var fromMs: Int64
    /// Window end, Unix ms (inclusive; the step holding it is answered whole).
    public var toMs: Int64
    /// Step in ms; each output point at `t` summarises `[t, t + step)`.
    public var stepMs: Int64
    /// The per-step function.
    public var function: QueryFunction
    /// A resolution to use, or nil to let the engine choose from the step and the retention.
    public var resolution: Resolution?

    /// Creates a query.
    public init(matchers: [LabelMatcher], fromMs: Int64, toMs: Int64, stepMs: Int64, function: QueryFunction = .last,
                resolution: Resolution? = nil) {
        self.matchers = matchers
        self.fromMs = fromMs
        self.toMs = toMs
        self.stepMs = stepMs
        self.function = function
        self.resolution = resolution
    }

    /// The step-aligned start.
    public var alignedFromMs: Int64 { alignDown(fromMs, stepMs) }

    /// The end of the last step (inclusive): the last point summarises its whole step, even past `toMs`
    /// (`StepBuckets`).
    public var lastStepEndMs: Int64 { StepBuckets.span(fromMs: fromMs, toMs: toMs, stepMs: stepMs).upperBound }

    /// The largest magnitude of a time or step a query may use: 2^61 ms (73 million years). Within it, the
    /// sum or difference of any two times and steps fits in an `Int64`, so the query's arithmetic cannot trap.
    public static let maxMagnitudeMs: Int64 = 1 << 61

    /// Throws unless the step is positive, `fromMs <= toMs`, and every value is within `maxMagnitudeMs`.
    public func validate() throws(QueryError) {
        let bound = Self.maxMagnitudeMs
        guard stepMs > 0, stepMs <= bound else { throw QueryError(message: "step must be 1 to \(bound) ms") }
        guard (-bound...bound).contains(fromMs), (-bound...bound).contains(toMs) else {
            throw QueryError(message: "from and to must be within ±\(bound) ms of the Unix epoch")
        }
        guard fromMs <= toMs else { throw QueryError(message: "from (\(fromMs)) is after to (\(toMs))") }
    }
}

/// One series of a query result.
public struct SeriesResult: Sendable, Equatable {
    /// The series.
    public var id: StableID
    /// Its labels.
    public var labels: Labels
    /// One point per step that has data, stamped with the step's start.
    public var points: [Sample]
}

/// A query's answer.
public struct QueryResult: Sendable, Equatable {
    /// The resolution the answer was computed from.
    public var resolution: Resolution
    /// Matching series that have points, sorted by id.
    public var series: [SeriesResult]
}

/// Why a query was refused or stopped.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What to change.
    public var message: String
    /// Which kind of failure: the request (`invalid`), its budget (`timeout`, `tooLarge`), or its client (`canceled`).
    public var reason: Reason

    /// The kinds of failure, which map to Prometheus's error types (`bad_data`, `timeout`, `execution`, `canceled`).
    public enum Reason: Sendable, Equatable {
        case invalid
        case timeout
        case canceled
        /// The query would read more samples than its budget allows.
        case tooLarge
    }

    /// Creates an error.
    public init(message: String, reason: Reason = .invalid) {
        self.message = message
        self.reason = reason
    }

    public var description: String { message }
}

/// Turns a series' buckets (raw samples as one-sample buckets, or rollup buckets) into step points.
enum StepAggregator {
    /// Points for `query` from `buckets` sorted by start, which must include those within one step before
    /// the aligned start (the baseline of `increase` and `rate`).
    static func points(_ buckets: [RollupBucket], query: RangeQuery) -> [Sample] {
        let step = query.stepMs
        let start = query.alignedFromMs
        let end = query.lastStepEndMs
        var points: [Sample] = []
        var index = buckets.firstIndex { $0.start >= start - step } ?? buckets.endIndex
        // The last bucket of the previous step, if within one step before this step's start.
        var previous: RollupBucket?
        var windowStart = start
        while index < buckets.count, buckets[index].start < start {
            previous = buckets[index]
            index += 1
        }
        while index < buckets.count, buckets[index].start <= end {
            windowStart = alignDown(buckets[index].start, step)
            if let last = previous, last.start < windowStart - step { previous = nil }
            let windowEnd = windowStart + step
            var summary = buckets[index]
            var rise = 0.0
            var baseline = previous?.last
            var newest = buckets[index]
            func advance(_ bucket: RollupBucket) {
                if let before = baseline {
                    rise += bucket.last >= before ? bucket.last - before : bucket.last
                } else if bucket.last > bucket.min {
                    // The series' first bucket: a rollup's rise within it (its first sample is its minimum unless
                    // the counter reset), so the first minute's rate agrees with the raw samples'.
                    rise += bucket.last - bucket.min
                }
                baseline = bucket.last
            }
            advance(buckets[index])
            index += 1
            while index < buckets.count, buckets[index].start < windowEnd, buckets[index].start <= end {
                summary.combine(buckets[index])
                advance(buckets[index])
                newest = buckets[index]
                index += 1
            }
            let value: Double
            switch query.function {
            case .last: value = newest.last
            case .avg: value = summary.sum / summary.count
            case .min: value = summary.min
            case .max: value = summary.max
            case .sum: value = summary.sum
            case .count: value = summary.count
            case .increase: value = rise
            case .rate: value = rise / (Double(step) / 1000)
            }
            points.append(Sample(windowStart, value))
            previous = newest
        }
        return points
    }
}
