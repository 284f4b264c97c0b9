/// The resolutions the engine keeps: raw samples and the 1 min and 1 h rollups.
public enum Resolution: String, Sendable, CaseIterable, Comparable {
    /// Every sample as written.
    case raw
    /// One rollup bucket (min, max, sum, count, last) per series per minute.
    case minute = "1m"
    /// One rollup bucket per series per hour.
    case hour = "1h"

    /// Bucket width in milliseconds (0 for raw).
    public var milliseconds: Int64 {
        switch self {
        case .raw: return 0
        case .minute: return 60_000
        case .hour: return 3_600_000
        }
    }

    /// The resolution whose blocks record `milliseconds` in their index.
    init?(milliseconds: Int64) {
        guard let match = Self.allCases.first(where: { $0.milliseconds == milliseconds }) else { return nil }
        self = match
    }

    /// The directory under `blocks/` holding this resolution's blocks.
    var directoryName: String { rawValue }

    public static func < (lhs: Resolution, rhs: Resolution) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

/// Floor division (rounds towards −∞ for negative timestamps too).
@inline(__always)
func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
    let quotient = value / divisor
    return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
}

/// `value` rounded down to a multiple of `step`.
@inline(__always)
func alignDown(_ value: Int64, _ step: Int64) -> Int64 { floorDivide(value, step) &* step }

/// The one rule for step buckets across every route: a bucket is `[start, start + step)` with `start` a multiple
/// of the step, and is stamped with its start (as `RangeQuery`'s points are). A window `from...to` is answered
/// by the whole buckets it touches: a point stamped `t` summarises all of `[t, t + step)` wherever `from` and
/// `to` fall, so a step's answer does not depend on the window, nor on the resolution it is computed from.
public enum StepBuckets {
    /// The start of the bucket holding `timestampMs`.
    public static func start(of timestampMs: Int64, stepMs: Int64) -> Int64 { alignDown(timestampMs, stepMs) }

    /// The times the buckets touching `fromMs...toMs` hold: the first one's start through the last one's end
    /// (inclusive; clamped at `Int64.max`). `fromMs <= toMs`, `stepMs > 0`.
    public static func span(fromMs: Int64, toMs: Int64, stepMs: Int64) -> ClosedRange<Int64> {
        let end = alignDown(toMs, stepMs).addingReportingOverflow(stepMs - 1)
        return alignDown(fromMs, stepMs)...(end.overflow ? .max : end.partialValue)
    }
}
