import Foundation

/// Seconds elapsed since `start` on the continuous clock.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// Median and 99th percentile of `values` (milliseconds), as `(median, p99)`.
func percentiles(_ values: [Double]) -> (median: Double, p99: Double) {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return (0, 0) }
    return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)])
}

/// A fresh scratch directory path.
func scratchDirectory(_ name: String) -> String {
    NSTemporaryDirectory() + "strata-bench-\(name)-\(UUID().uuidString)"
}

/// A number with three decimals, for JSON.
func fixed(_ value: Double) -> String { String(format: "%.3f", value) }

/// Flushes standard output (so a parent reading a pipe sees each line at once).
func flushOutput() { fflush(nil) }
