import StrataCore

extension TimeSeriesEngine {
    /// What `append` would do, without changing anything (for all-or-nothing appends); also returns in
    /// `looked` the head series of each sample (nil where not in the head) and in `stored` the indices of
    /// the samples it would store.
    func validate(_ batch: SampleBatch, windowMs: Int64, bounds: ClosedRange<Int64>, looked: inout [SeriesHandle?],
                  stored: inout [Int]) -> AppendSummary {
        var summary = AppendSummary()
        looked.removeAll(keepingCapacity: true)
        looked.reserveCapacity(batch.count)
        stored.removeAll(keepingCapacity: true)
        stored.reserveCapacity(batch.count)
        var previous: (id: StableID, handle: SeriesHandle?)?
        // The newest sample this validation has let through, for each head series it has seen: in `pending`, at the
        // index each series notes in its `pendingSlot` (cleared below, for every series looked at); series not in
        // the head yet are tracked in a small dictionary.
        defer { for handle in looked { handle?.series.pendingSlot = 0 } }
        var pending: [(timestamp: Int64, bits: UInt64)] = []
        pending.reserveCapacity(batch.count)
        var unknown: [StableID: (timestamp: Int64, bits: UInt64)] = [:]
        var late: [SeriesPoint: UInt64] = [:]
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let timestamp = batch.timestamps[index]
            let bits = batch.values[index].bitPattern
            let handle: SeriesHandle?
            if let previous, previous.id == id { handle = previous.handle } else { handle = head.handle(id, hint: batch.hints[index]) }
            previous = (id, handle)
            looked.append(handle)
            let last: (timestamp: Int64, bits: UInt64)
            var slot = 0
            if let handle {
                if handle.series.pendingSlot == 0 {
                    pending.append((handle.series.lastTimestamp, handle.series.lastBits))
                    handle.series.pendingSlot = UInt32(pending.count)
                }
                slot = Int(handle.series.pendingSlot) - 1
                last = pending[slot]
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
                if handle != nil { pending[slot] = (timestamp, bits) } else { unknown[id] = (timestamp, bits) }
                summary.stored += 1
                stored.append(index)
            } else if timestamp == last.timestamp {
                if bits == last.bits { summary.duplicates += 1 } else { summary.reject(.conflict) }
            } else if timestamp < last.timestamp &- windowMs {
                summary.reject(.tooOld)
            } else if let stored = handle?.series.storedValue(at: timestamp) ?? (timestamp <= lastPersistedMax ? persistedValue(id, timestamp) : nil) {
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
