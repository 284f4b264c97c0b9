#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Mann–Kendall test for a monotonic trend: S counts rising minus falling pairs; its variance (corrected for
/// ties) gives a z score and a two-sided p-value by the normal approximation (good from about 10 points). Pure;
/// O(n²), so longer series are thinned to `TheilSen.maxPoints` first.
public struct MannKendall: Sendable, Hashable {
    /// Rising pairs minus falling pairs.
    public var s: Double
    /// S over its standard deviation, with the continuity correction.
    public var z: Double
    /// The probability of a trend at least this strong in either direction if there were none.
    public var pValue: Double
    /// Kendall's tau: S over the number of pairs, from −1 (always falling) to 1 (always rising).
    public var tau: Double

    /// The test over `values` in time order; nil for fewer than 3 values or any non-finite value.
    public init?(_ values: [Double]) {
        guard values.count >= 3, values.allSatisfy(\.isFinite) else { return nil }
        let used = TheilSen.thinned(values.enumerated().map { (Double($0.offset), $0.element) }).map(\.y)
        let n = Double(used.count)
        var s = 0.0
        for i in 0..<used.count {
            for j in (i + 1)..<used.count {
                if used[j] > used[i] { s += 1 } else if used[j] < used[i] { s -= 1 }
            }
        }
        var ties: [Double: Int] = [:]
        for value in used { ties[value, default: 0] += 1 }
        let tieTerm = ties.values.filter { $0 > 1 }.reduce(0.0) { total, t in
            let t = Double(t)
            return total + t * (t - 1) * (2 * t + 5)
        }
        let variance = (n * (n - 1) * (2 * n + 5) - tieTerm) / 18
        self.s = s
        if variance <= 0 {
            z = 0
        } else if s > 0 {
            z = (s - 1) / variance.squareRoot()
        } else if s < 0 {
            z = (s + 1) / variance.squareRoot()
        } else {
            z = 0
        }
        pValue = erfc(abs(z) / 2.0.squareRoot())
        tau = s / (n * (n - 1) / 2)
    }
}
