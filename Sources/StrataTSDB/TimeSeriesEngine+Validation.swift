import StrataCore

extension TimeSeriesEngine {
    /// What `append` would do, without changing anything (for all-or-nothing appends); also returns in
    /// `looked` the head series of each sample (nil where not in the head) and in `stored` the indices of
    /// the samples it would store.
    func validate(_ batch: SampleBatch, windowMs: Int64, bounds: ClosedRange<Int64>, looked: inout [MemSeries?],
                  stored: inout [Int]) -> AppendSummary {
        var summary = AppendSummary()
        looked.removeAll(keepingCapacity: true)
        looked.reserveCapacity(batch.count)
        stored.removeAll(keepingCapacity: true)
        stored.reserveCapacity(batch.count)
        var previous: (id: StableID, series: MemSeries?)?
        // Each series carries the newest sample this validation has let through (`pendingLast`), valid while its
        // `validating` is set (cleared below, for every series looked at); series not in the head yet are tracked
        // in a small dictionary.
        defer { for series in looked { series?.validating = false } }
        var unknown: [StableID: (timestamp: Int64, bits: UInt64)] = [:]
        var late: [SeriesPoint: UInt64] = [:]
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let timestamp = batch.timestamps[index]
            let bits = batch.values[index].bitPattern
            let series: MemSeries?
            if let previous, previous.id == id { series = previous.series } else { series = head.series(id, hint: batch.hints[index]) }
            previous = (id, series)
            looked.append(series)
            let last: (timestamp: Int64, bits: UInt64)
            if let series {
                if !series.validating {
                    series.validating = true
                    series.pendingLast = (series.lastTimestamp, series.lastBits)
                }
                last = series.pendingLast
            } else {
                last = unknown[id] ?? (.min, 0)
            }
            if timestamp < bounds.lowerBound {
                summary.reject(.outOfBounds)
            } else if timestamp > bounds.upperBound {
                summary.reject(.tooFarInFuture)
            } else if last.timestamp == .min, timestamp <= lastPersistedMax, let stored = persistedValue(id, timestamp) {
                // In a block already (a resend after a restart, when the head knows nothing of the series yet).
                if stored.bitPattern == bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if timestamp > last.timestamp {
                if let series { series.pendingLast = (timestamp, bits) } else { unknown[id] = (timestamp, bits) }
                summary.stored += 1
                stored.append(index)
            } else if timestamp == last.timestamp {
                if bits == last.bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if timestamp < last.timestamp &- windowMs {
                summary.reject(.tooOld)
            } else if let stored = series?.storedValue(at: timestamp) ?? (timestamp <= lastPersistedMax ? persistedValue(id, timestamp) : nil) {
                if stored.bitPattern == bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if let earlier = late[SeriesPoint(series: id, timestamp: timestamp)] {
                if earlier == bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else {
                late[SeriesPoint(series: id, timestamp: timestamp)] = bits
                summary.stored += 1
                stored.append(index)
            }
        }
        return summary
    }
}

/// A (series, timestamp) pair.
struct SeriesPoint: Hashable {
    var series: StableID
    var timestamp: Int64
}
