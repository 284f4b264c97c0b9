/// Which workload counter a leak follows: for each candidate (a cumulative count such as a webapp's requests), the
/// correlation between the memory's increments and the counter's increments over the same intervals (increments,
/// not levels: anything that only grows with time correlates in levels), and the memory added per 1,000 counts.
public enum LeakAttribution {
    /// One candidate's evidence.
    public struct Candidate: Sendable, Hashable {
        /// The counter's name.
        public var name: String
        /// Pearson correlation of the increments, −1…1.
        public var correlation: Double
        /// Memory added per 1,000 counts (the median over segments of the Theil–Sen slope of memory over the count).
        public var perThousand: Double
        /// Intervals compared.
        public var intervals: Int
    }

    /// Candidates ranked by correlation (highest first). `memory` and each counter are in time order; a counter's
    /// resets are undone (a fall starts counting again from the fallen value). Counters are read at the memory's
    /// times by linear interpolation; intervals across a restart are left out. Throws when fewer than 10 intervals
    /// can be compared for every candidate.
    public static func rank(memory: [TimePoint], counters: [String: [TimePoint]], restarts: [Int64] = []) throws(InsufficientData) -> [Candidate] {
        // Memory moves with garbage collection and caches from sample to sample; a leak shows over longer intervals.
        // The increments are compared over intervals of 1, 2, 4, … samples (at least 10 intervals), and the scale
        // at which the best counter explains the memory best is the one reported.
        var best: [Candidate]?
        var scale = 1
        while memory.count / scale >= 11 {
            let ranked = rank(memory: memory, counters: counters, restarts: restarts, every: scale)
            if let top = ranked.first, top.correlation > (best?.first?.correlation ?? -2) { best = ranked }
            scale *= 2
        }
        guard let best, !best.isEmpty else {
            throw InsufficientData("no counter overlaps the memory series for 10 intervals; attribution needs the counters over the same time")
        }
        return best
    }

    /// The candidates ranked with increments over intervals of `every` memory samples.
    static func rank(memory all: [TimePoint], counters: [String: [TimePoint]], restarts: [Int64], every: Int) -> [Candidate] {
        let cuts = Set(LeakDetector.segments(all, restarts: restarts, resetDrop: 0.3).dropFirst().map { $0[0].t })
        // Keep every `every`-th sample and each sample that starts a segment, so no interval spans a restart.
        let memory = all.enumerated().filter { $0.offset % every == 0 || cuts.contains($0.element.t) }.map(\.element)
        var ranked: [Candidate] = []
        for (name, raw) in counters {
            let counter = monotonic(raw)
            var memoryDeltas: [Double] = [], countDeltas: [Double] = []
            var segments: [[(x: Double, y: Double)]] = [[]]
            var previous: (t: Int64, memory: Double, count: Double)?
            for point in memory {
                guard let count = interpolate(counter, at: point.t) else { previous = nil; continue }
                if cuts.contains(point.t) { segments.append([]) }
                if let last = previous, !cuts.contains(point.t) {
                    memoryDeltas.append(point.v - last.memory)
                    countDeltas.append(count - last.count)
                }
                segments[segments.count - 1].append((x: count, y: point.v))
                previous = (point.t, point.v, count)
            }
            guard memoryDeltas.count >= 10 else { continue }
            let slope = TheilSen.median(segments.compactMap { TheilSen($0)?.slope }) ?? 0
            ranked.append(Candidate(name: name, correlation: pearson(memoryDeltas, countDeltas), perThousand: slope * 1000, intervals: memoryDeltas.count))
        }
        return ranked.sorted { $0.correlation != $1.correlation ? $0.correlation > $1.correlation : $0.name < $1.name }
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
