import StrataAPI
import StrataCore
import StrataTSDB

/// What one subscription sends of each batch: the samples of the series that match any of its selectors, with their
/// visible labels. A series' labels come from the batch when it carries them (agent batches always do, remote write
/// for series new to the receiver) and otherwise from the store, once: the answer, match or not, is remembered, so a
/// steady stream costs one dictionary lookup per sample. Runs on the subscriber's task, never on ingest's.
struct StreamFilter {
    /// The subscriber's tenant: a series labelled with another is never sent.
    let tenant: String
    /// A series matches when every matcher of any one selector does (`match[]` parameters are a union).
    let selectors: [[LabelMatcher]]
    /// Per series seen: its visible labels if it matches, nil if it does not.
    private var known: [StableID: Labels?] = [:]
    /// Past this many remembered series the memory starts over (a subscriber of a tenant with millions of series
    /// looks labels up again rather than growing without bound).
    static let maxKnown = 200_000

    init(tenant: String, selectors: [[LabelMatcher]]) {
        self.tenant = tenant
        self.selectors = selectors
    }

    /// The matching samples of `batch`, one entry per series in order of first appearance. A staleness marker sets the
    /// entry's `endedMs` and closes it: a later sample of the series in the batch starts a new entry. `lookup` gives
    /// the labels of a series the batch does not carry (the store's `Querier.labels(of:)`).
    mutating func series(in batch: SampleBatch, lookup: (StableID) async -> Labels?) async -> [API.StreamSeries] {
        var out: [API.StreamSeries] = []
        var open: [StableID: Int] = [:]
        for index in 0..<batch.count {
            let id = batch.seriesIDs[index]
            let labels: Labels?
            if let remembered = known[id] {
                labels = remembered
            } else {
                labels = await resolve(id, given: batch.labels[id], lookup: lookup)
            }
            guard let labels else { continue }
            let slot: Int
            if let existing = open[id] {
                slot = existing
            } else {
                slot = out.count
                out.append(API.StreamSeries(id: id, labels: API.LabelObject(labels), samples: []))
                open[id] = slot
            }
            let timestamp = batch.timestamps[index]
            let value = batch.values[index]
            if Sample.isStaleMarker(value) {
                out[slot].endedMs = timestamp
                open[id] = nil
            } else {
                out[slot].samples.append(API.Point(timestamp, value))
            }
        }
        return out
    }

    /// Decides whether series `id` matches and remembers it; its visible labels if so. A series the store does not
    /// know (not expected: a committed series is registered) is skipped and not remembered.
    private mutating func resolve(_ id: StableID, given: Labels?, lookup: (StableID) async -> Labels?) async -> Labels? {
        var found = given
        if found == nil { found = await lookup(id) }
        guard let labels = found else { return nil }
        let visible = labels[Labels.tenant] == tenant && matches(labels) ? labels.visible : nil
        if known.count >= Self.maxKnown { known.removeAll(keepingCapacity: true) }
        known.updateValue(visible, forKey: id)
        return visible
    }

    /// Whether `labels` satisfy any selector.
    func matches(_ labels: Labels) -> Bool {
        selectors.contains { selector in selector.allSatisfy { $0.matches(labels) } }
    }
}
