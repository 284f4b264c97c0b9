/// Quantiles as Prometheus computes them: of a list of values (`quantile`, `quantile_over_time`) and of classic
/// histogram buckets (`histogram_quantile`).
enum Quantiles {
    /// The φ-quantile of `values` by linear interpolation between the closest ranks; NaN for no values or a NaN
    /// φ, -Inf below 0, +Inf above 1. NaN values sort first, as Prometheus sorts them.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        if values.isEmpty || q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { ($0.isNaN && !$1.isNaN) || $0 < $1 }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = GoMath.max(0, rank.rounded(.down))
        let upper = GoMath.min(n - 1, lower + 1)
        let weight = rank - rank.rounded(.down)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }

    /// One classic histogram bucket: its upper bound (`le`) and cumulative count.
    struct Bucket {
        var upperBound: Double
        var count: Double
    }

    /// The φ-quantile of a classic histogram: buckets sorted by bound, equal bounds merged, counts made
    /// monotonic; NaN without a +Inf bucket, with fewer than two buckets or no observations; linear
    /// interpolation within the bucket, the lower bound of the +Inf bucket when the rank falls in it.
    static func bucketQuantile(_ q: Double, _ unsorted: [Bucket]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets = unsorted.sorted { $0.upperBound < $1.upperBound }
        guard let last = buckets.last, last.upperBound == .infinity else { return .nan }
        buckets = coalesce(buckets)
        var maximum = buckets[0].count
        for index in 1..<buckets.count {
            if buckets[index].count > maximum {
                maximum = buckets[index].count
            } else if buckets[index].count < maximum {
                buckets[index].count = maximum
            }
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 { return .nan }
        var rank = q * observations
        // sort.Search over all but the last bucket: the first whose count reaches the rank.
        var b = buckets.count - 1
        var low = 0, high = buckets.count - 1
        while low < high {
            let middle = low + (high - low) / 2
            if buckets[middle].count >= rank { high = middle } else { low = middle + 1 }
        }
        b = low
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upperBound }
        if b == 0 && buckets[0].upperBound <= 0 { return buckets[0].upperBound }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }

    /// Sorted buckets with equal upper bounds merged (their counts added).
    private static func coalesce(_ buckets: [Bucket]) -> [Bucket] {
        var merged: [Bucket] = []
        merged.reserveCapacity(buckets.count)
        for bucket in buckets {
            if let last = merged.last, last.upperBound == bucket.upperBound {
                merged[merged.count - 1].count += bucket.count
            } else {
                merged.append(bucket)
            }
        }
        return merged
    }
}
