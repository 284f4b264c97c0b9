import StrataCore

/// An info-style series Strata synthesises from its inventory (`strata_resource_info`, `strata_placement_info`):
/// value 1 while one of its spans holds, absent otherwise. Its samples are made for the window a query reads, at
/// a fixed cadence — one at the start of a span, then on every multiple of the cadence, and a staleness marker
/// where the span ends — so with any cadence under the lookback delta an instant selector finds it at exactly
/// the times the span holds, and two windows agree on every sample they share.
public struct InfoSeries: Sendable, Equatable {
    /// One stretch of time the series holds, `fromMs` up to (not including) `toMs`; nil: still.
    public struct Span: Sendable, Equatable {
        public var fromMs: Int64
        public var toMs: Int64?

        /// A span.
        public init(fromMs: Int64, toMs: Int64?) {
            self.fromMs = fromMs
            self.toMs = toMs
        }
    }

    /// Its labels, `__name__` included.
    public var labels: Labels
    /// When it holds: sorted, non-overlapping, not touching.
    public var spans: [Span]

    /// A series.
    public init(labels: Labels, spans: [Span]) {
        self.labels = labels
        self.spans = spans
    }

    /// `spans` sorted, with overlapping and touching ones joined.
    public static func merged(_ spans: [Span]) -> [Span] {
        var result: [Span] = []
        for span in spans.sorted(by: { $0.fromMs < $1.fromMs }) {
            if let last = result.last, let lastEnd = last.toMs, span.fromMs > lastEnd {
                result.append(span)
            } else if let last = result.last {
                let end: Int64? = (last.toMs == nil || span.toMs == nil) ? nil : max(last.toMs!, span.toMs!)
                result[result.count - 1].toMs = end
            } else {
                result.append(span)
            }
        }
        return result
    }

    /// Whether it holds at some time within `fromMs...toMs`.
    public func overlaps(fromMs: Int64, toMs: Int64) -> Bool {
        spans.contains { $0.fromMs <= toMs && ($0.toMs ?? .max) > fromMs }
    }

    /// How many samples `samples(fromMs:toMs:cadenceMs:)` returns, computed without making them.
    /// `Int.max` when it would not fit.
    public func sampleCount(fromMs: Int64, toMs: Int64, cadenceMs: Int64) -> Int {
        guard cadenceMs > 0, fromMs <= toMs else { return 0 }
        var count = 0
        for span in spans {
            let end = span.toMs ?? .max
            guard span.fromMs <= toMs, end >= fromMs else { continue }
            if span.fromMs >= fromMs { count += 1 }
            let (first, high) = Self.cadenceBounds(span, fromMs: fromMs, toMs: toMs, cadenceMs: cadenceMs)
            if first <= high {
                let (width, overflow) = high.subtractingReportingOverflow(first)
                if overflow || count > Int.max / 4 { return .max }
                count += Int(min(width / cadenceMs, Int64.max / 4)) + 1
            }
            if let stop = span.toMs, stop >= fromMs, stop <= toMs { count += 1 }
        }
        return count
    }

    /// Its samples with `fromMs <= t <= toMs`, in time order, staleness markers included; `cadenceMs` > 0.
    public func samples(fromMs: Int64, toMs: Int64, cadenceMs: Int64) -> [Sample] {
        var samples: [Sample] = []
        forEachTime(fromMs: fromMs, toMs: toMs, cadenceMs: cadenceMs) { time, stale in
            samples.append(Sample(time, stale ? Double(bitPattern: Sample.staleNaNBits) : 1))
        }
        return samples
    }

    private func forEachTime(fromMs: Int64, toMs: Int64, cadenceMs: Int64, _ body: (Int64, Bool) -> Void) {
        guard cadenceMs > 0, fromMs <= toMs else { return }
        for span in spans {
            let end = span.toMs ?? .max
            guard span.fromMs <= toMs, end >= fromMs else { continue }
            if span.fromMs >= fromMs { body(span.fromMs, false) }
            let (first, high) = Self.cadenceBounds(span, fromMs: fromMs, toMs: toMs, cadenceMs: cadenceMs)
            var time = first
            while time <= high {
                body(time, false)
                let (next, overflow) = time.addingReportingOverflow(cadenceMs)
                if overflow { break }
                time = next
            }
            if let stop = span.toMs, stop >= fromMs, stop <= toMs { body(stop, true) }
        }
    }

    /// The first and last time a multiple of the cadence may have in `span` (strictly after its start, before its
    /// end) within the window.
    static func cadenceBounds(_ span: Span, fromMs: Int64, toMs: Int64, cadenceMs: Int64) -> (first: Int64, last: Int64) {
        let low = max(fromMs, span.fromMs.addingReportingOverflow(1).partialValue)
        let high = min(toMs, span.toMs.map { $0 &- 1 } ?? .max)
        let first = ceil(low, cadenceMs)
        return first < low ? (1, 0) : (first, high)  // `first` below `low`: the multiple above does not fit, none is left
    }

    /// The least multiple of `step` at or above `value`.
    static func ceil(_ value: Int64, _ step: Int64) -> Int64 {
        let floor = value &- ((value % step) &+ step) % step
        return floor == value ? value : floor &+ step
    }
}
