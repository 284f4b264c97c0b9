#if canImport(Glibc)
import Glibc
#endif

/// Exponential-histogram buckets as classic cumulative `le` buckets, which a Prometheus-compatible store can
/// hold (Prometheus itself keeps them as native histograms, which Strata does not store).
///
/// Bucket `i` of the positive side holds values in (base^i, base^(i+1)], of the negative side values in
/// [-base^(i+1), -base^i), with base = 2^(2^-scale); the zero bucket holds [-threshold, threshold]. The
/// classic buckets are their upper bounds in increasing order: the negative side from its largest index
/// down (`le` = -base^i), the zero bucket (`le` = threshold), the positive side (`le` = base^(i+1)). A side
/// with more than `maxBuckets` buckets is first downscaled (two neighbours merged per step, as the spec's
/// downscaling does), so a hostile offset or count cannot multiply series. Bounds that round to the previous
/// one or to infinity are merged into the next bucket (the counts are cumulative, so nothing is lost).
enum ExponentialBuckets {
    /// (upper bound, cumulative count) pairs, bounds strictly increasing and finite.
    static func classic(_ point: OTLPExponentialHistogramPoint, maxBuckets: Int) -> [(Double, Double)] {
        let negative = downscaled(point.negative, scale: Int(point.scale), maxBuckets: maxBuckets)
        let positive = downscaled(point.positive, scale: Int(point.scale), maxBuckets: maxBuckets)
        var result: [(Double, Double)] = []
        var cumulative = 0.0
        func add(_ bound: Double, _ count: Double) {
            cumulative += count
            guard bound.isFinite, result.last.map({ bound > $0.0 }) ?? true else { return }
            result.append((bound, cumulative))
        }
        for (index, count) in zip(negative.indices, negative.counts).reversed() {
            add(-bound(index, scale: negative.scale), count)
        }
        add(point.zeroThreshold.isFinite ? max(0, point.zeroThreshold) : 0, Double(point.zeroCount))
        for (index, count) in zip(positive.indices, positive.counts) {
            add(bound(index + 1, scale: positive.scale), count)
        }
        return result
    }

    /// base^index at `scale`: 2^(index · 2^-scale).
    static func bound(_ index: Int64, scale: Int) -> Double {
        exp2(Double(index) * exp2(Double(-scale)))
    }

    /// One side's buckets as (first index, counts) at a scale low enough for `maxBuckets`.
    struct Side {
        var scale: Int
        var first: Int64
        var counts: [Double]
        var indices: [Int64] { counts.indices.map { first + Int64($0) } }
    }

    static func downscaled(_ buckets: OTLPExponentialBuckets, scale: Int, maxBuckets: Int) -> Side {
        let first = Int64(buckets.offset)
        let last = first + Int64(buckets.counts.count) - 1
        guard !buckets.counts.isEmpty else { return Side(scale: scale, first: first, counts: []) }
        var shift: Int64 = 0
        while (last >> shift) - (first >> shift) + 1 > Int64(maxBuckets) { shift += 1 }
        let newFirst = first >> shift
        var counts = [Double](repeating: 0, count: Int((last >> shift) - newFirst + 1))
        for (offset, count) in buckets.counts.enumerated() {
            counts[Int(((first + Int64(offset)) >> shift) - newFirst)] += Double(count)
        }
        return Side(scale: scale - Int(shift), first: newFirst, counts: counts)
    }
}
