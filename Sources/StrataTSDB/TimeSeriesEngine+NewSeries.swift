import StrataCore

extension TimeSeriesEngine {
    /// The head series of each sample of `batch` (`looked` holds those validation found), creating the new ones
    /// (indexing their labels, and listing them in `newSeries` when `logging`) before any sample is appended.
    ///
    /// Created one by one between appends, each series' record lay in memory between two open chunks' first
    /// buffers; when those chunks grew, every first buffer left a hole between two records that no larger buffer
    /// fits in (5–6 MiB of resident memory at 100k new series, docs/performance.md). Created together, the records
    /// lie together, and so do the first buffers the appends allocate next: freed as the chunks grow, they merge and
    /// are reused.
    func resolveSeries(_ batch: SampleBatch, looked: [SeriesHandle?], logging: Bool,
                       newSeries: inout [(id: StableID, labels: Labels)]) -> [SeriesHandle] {
        var handles: [SeriesHandle] = []
        handles.reserveCapacity(batch.count)
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            if index > 0, batch.seriesIDs[index - 1] == id {
                handles.append(handles[index - 1])
            } else if !looked.isEmpty, let known = looked[index] {
                handles.append(known)
            } else if let existing = head.handle(id, hint: batch.hints[index]) {
                handles.append(existing)
            } else {
                let labels = batch.labels[id] ?? Labels()
                let created = MemSeries(id: id)
                head[id] = created
                handles.append(SeriesHandle(created))
                if !labels.isEmpty {
                    if logging { newSeries.append((id, labels)) }
                    labelIndex.add(id, labels)
                }
            }
        }
        return handles
    }
}
