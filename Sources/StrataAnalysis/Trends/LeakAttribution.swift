/// Which workload counter a leak follows. Within each stretch between restarts, the memory and each candidate
/// (a cumulative count such as a webapp's requests, read at the memory's times) are detrended by a quadratic in
/// time, and the residuals are correlated: everything that only grows with time (every busy counter) is taken out
/// with the trend, while the counter whose own rhythm — its busy hours, its bursts — the memory repeats stays.
/// Levels, not increments: garbage collection makes memory jump from sample to sample by far more than a leak adds
/// between two samples, but it does not follow any counter (both sides are smoothed over a hundredth of the stretch
/// to quiet it). Also gives the memory added per 1,000 counts.
public enum LeakAttribution {
    /// One candidate's evidence.
    public struct Candidate: Sendable, Hashable {
        /// The counter's name.
        public var name: String
        /// Pearson correlation of the detrended levels, −1…1.
        public var correlation: Double
        /// Memory added per 1,000 counts (the median over segments of the Theil–Sen slope of memory over the count).
        public var perThousand: Double
        /// Samples compared.
        public var intervals: Int
    }

    /// Candidates ranked by correlation (highest first). `memory` and each counter are in time order; a counter's
    /// resets are undone (a fall starts counting again from the fallen value). Counters are read at the memory's
    /// times by linear interpolation; each stretch between restarts is detrended on its own and stretches of fewer
    /// than 10 samples are left out. Throws when no candidate has 10 samples to compare.
    public static func rank(memory: [TimePoint], counters: [String: [TimePoint]], restarts: [Int64] = []) throws(InsufficientData) -> [Candidate] {
        let stretches = LeakDetector.segments(memory.filter { $0.v.isFinite }, restarts: restarts, resetDrop: 0.3)
        var ranked: [Candidate] = []
        for (name, raw) in counters {
            let counter = monotonic(raw)
            var memoryResiduals: [Double] = [], countResiduals: [Double] = [], slopes: [Double] = []
            for stretch in stretches {
                let paired = stretch.compactMap { point in interpolate(counter, at: point.t).map { (t: Double(point.t), memory: point.v, count: $0) } }
                guard paired.count >= 10 else { continue }
                // A moving average over a hundredth of the stretch takes out garbage collection's short swings.
                let width = max(1, paired.count / 100)
                memoryResiduals += smoothed(detrended(paired.map(\.memory), paired.map(\.t)), width: width)
                countResiduals += smoothed(detrended(paired.map(\.count), paired.map(\.t)), width: width)
                if let slope = TheilSen(paired.map { (x: $0.count, y: $0.memory) })?.slope { slopes.append(slope) }
            }
            guard memoryResiduals.count >= 10 else { continue }
            ranked.append(Candidate(name: name, correlation: pearson(memoryResiduals, countResiduals),
                                    perThousand: (TheilSen.median(slopes) ?? 0) * 1000, intervals: memoryResiduals.count))
        }
        guard !ranked.isEmpty else {
            throw InsufficientData("no counter overlaps the memory series for 10 samples; attribution needs the counters over the same time")
        }
        return ranked.sorted { $0.correlation != $1.correlation ? $0.correlation > $1.correlation : $0.name < $1.name }
    }

    /// `values` less their least-squares quadratic in `times` (times centred and scaled to −1…1 first).
    static func detrended(_ values: [Double], _ times: [Double]) -> [Double] {
        guard let low = times.min(), let high = times.max(), high > low else { return values }
        let x = times.map { 2 * ($0 - low) / (high - low) - 1 }
        // Normal equations of y = a + b·x + c·x².
        var m = [[Double]](repeating: [0, 0, 0], count: 3), v = [0.0, 0, 0]
        for (u, y) in zip(x, values) {
            let basis = [1, u, u * u]
            for i in 0..<3 {
                v[i] += basis[i] * y
                for j in 0..<3 { m[i][j] += basis[i] * basis[j] }
            }
        }
        guard let coefficients = solve3(m, v) else { return values }
        return zip(values, x).map { $0 - (coefficients[0] + coefficients[1] * $1 + coefficients[2] * $1 * $1) }
    }

    /// The centred moving average of `values` over `width` samples (shorter at the ends).
    static func smoothed(_ values: [Double], width: Int) -> [Double] {
        guard width > 1, !values.isEmpty else { return values }
        var prefix = [0.0]
        prefix.reserveCapacity(values.count + 1)
        for value in values { prefix.append(prefix[prefix.count - 1] + value) }
        return values.indices.map { index in
            let low = max(0, index - width / 2), high = min(values.count, index + width / 2 + 1)
            return (prefix[high] - prefix[low]) / Double(high - low)
        }
    }

    /// The solution of a 3×3 linear system by Cramer's rule; nil when singular.
    static func solve3(_ m: [[Double]], _ v: [Double]) -> [Double]? {
        func det(_ a: [[Double]]) -> Double {
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        }
        let d = det(m)
        guard d.isFinite, abs(d) > 1e-12 else { return nil }
        return (0..<3).map { column in
            var replaced = m
            for row in 0..<3 { replaced[row][column] = v[row] }
            return det(replaced) / d
        }
    }

    /// The counter with its resets undone.
    static func monotonic(_ points: [TimePoint]) -> [TimePoint] {
        var offset = 0.0, last: Double?
        return points.filter { $0.v.isFinite }.map { point in
            if let previous = last, point.v < previous { offset += previous }
            last = point.v
            return TimePoint(point.t, point.v + offset)
        }
    }

    /// The value of `points` at `t` by linear interpolation; nil outside their time span.
    static func interpolate(_ points: [TimePoint], at t: Int64) -> Double? {
        guard let first = points.first, let last = points.last, t >= first.t, t <= last.t else { return nil }
        var low = 0, high = points.count - 1
        while high - low > 1 {
            let middle = (low + high) / 2
            if points[middle].t <= t { low = middle } else { high = middle }
        }
        let a = points[low], b = points[high]
        guard b.t != a.t else { return a.v }
        return a.v + (b.v - a.v) * TimePoint.span(from: a.t, to: t) / TimePoint.span(from: a.t, to: b.t)
    }

    /// Pearson's correlation; 0 when either side does not vary.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count)
        let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) {
            sxy += (a - mx) * (b - my)
            sxx += (a - mx) * (a - mx)
            syy += (b - my) * (b - my)
        }
        guard sxx > 0, syy > 0 else { return 0 }
        return sxy / (sxx * syy).squareRoot()
    }
}
