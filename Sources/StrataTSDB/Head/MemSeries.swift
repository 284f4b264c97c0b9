import StrataCore

/// An immutable chunk of one series with its time bounds.
struct ClosedChunk: Sendable {
    var minT: Int64
    var maxT: Int64
    var bytes: [UInt8]
}

/// The chunks of a head series overlapping a window and its out-of-order samples in it: copied under the engine
/// actor (chunk bytes are shared, not copied; the open chunk is a copy of its appender, whose bytes are made by the
/// reader), decoded anywhere.
struct HeadSlice: Sendable {
    /// Frozen and closed chunks, oldest first.
    var chunks: [ClosedChunk]
    /// The open chunk, newer than `chunks`, when it overlaps the window.
    var open: ChunkAppender?
    /// Out-of-order samples in the window, sorted by time.
    var late: [Sample]
    var from: Int64
    var to: Int64

    /// Nothing.
    static let empty = HeadSlice(chunks: [], open: nil, late: [], from: 0, to: -1)

    /// The head's newest sample in the window without decoding, when it is the open chunk's last one (no late
    /// sample in the window, the open chunk ending inside it); nil otherwise.
    var newestWithoutDecoding: Sample? {
        guard late.isEmpty, let last = open?.lastSample, last.timestampMs >= from, last.timestampMs <= to else { return nil }
        return last
    }

    /// The samples in the window, in time order.
    func samples() -> [Sample] {
        var inOrder: [Sample] = []
        append(into: &inOrder)
        return MemSeries.merge(inOrder, late)
    }

    /// Appends the in-order samples of the window (not `late`) to `samples`; a chunk that fails to decode is
    /// left out whole.
    func append(into samples: inout [Sample]) {
        for chunk in chunks {
            Self.appendWhole(into: &samples) { samples in
                try chunk.bytes.withUnsafeBytes { raw in try ChunkDecoder.append(raw, from: from, to: to, into: &samples) }
            }
        }
        if let open {
            Self.appendWhole(into: &samples) { samples in try open.appendSamples(from: from, to: to, into: &samples) }
        }
    }

    /// What `decode` appends to `samples`, or nothing when it fails part-way (a chunk's `ChunkError`).
    private static func appendWhole(into samples: inout [Sample], _ decode: (inout [Sample]) throws -> Void) {
        let before = samples.count
        do {
            try decode(&samples)
        } catch {
            samples.removeSubrange(before...)
        }
    }
}

/// Samples of one series taken out of the head to be written as a block in the background: still read by
/// queries and duplicate checks until the block is installed, given back to the head if writing fails.
struct FrozenSamples: Sendable {
    /// Closed chunks, the former open chunk included, oldest first.
    var chunks: [ClosedChunk]
    /// Out-of-order samples, sorted by time.
    var outOfOrder: [Sample]

    /// Every sample, in time order.
    func samples() -> [Sample] {
        var inOrder: [Sample] = []
        for chunk in chunks { inOrder += (try? ChunkDecoder.decode(chunk.bytes)) ?? [] }
        return MemSeries.merge(inOrder, outOfOrder)
    }
}

/// Frozen samples behind one reference, with the cursor of the persists that took them.
final class FrozenBox {
    let samples: FrozenSamples
    /// The engine's persists (see `MemSeries.frozen`).
    unowned let cursor: PersistCursor
    init(_ samples: FrozenSamples, cursor: PersistCursor) {
        self.samples = samples
        self.cursor = cursor
    }
}

/// How far the engine's persists have got: shared by the engine and the frozen samples of its series, touched only
/// on the engine actor. A series' frozen samples of an epoch at or below `installedEpoch` are in installed blocks
/// and no longer read, so installing a persist's blocks takes one store, not a pass over every series.
final class PersistCursor: @unchecked Sendable {
    // @unchecked: used only on the engine actor that owns the head (as `MemSeries` is).
    var installedEpoch: UInt32 = 0
}

/// What happened to one appended sample (the documented out-of-order rule, `docs/format/chunks.md`).
enum AppendOutcome: Sendable, Equatable {
    /// Newer than everything stored: appended to the open chunk.
    case appended
    /// Older than the newest sample but within the tolerance window: kept and merged at read time.
    case outOfOrder
    /// The same timestamp and bit-identical value is already stored: accepted silently.
    case duplicate
    /// The same timestamp is stored with a different value: rejected, the first value stays.
    case conflict
    /// Older than the newest sample by more than the tolerance window: rejected.
    case tooOld
}

/// One series in the head: closed chunks, the open chunk, and out-of-order samples within the window.
///
/// A class so the head mutates it in place (a struct in a dictionary was copied on every append).
/// Not `Sendable`: only the engine actor that owns the head touches it.
final class MemSeries {
    // Declared in the order they lie in the object: what validation and appending read for every sample comes
    // first, in the record's first 32 bytes after the header, then the open chunk's state (56 bytes). Spread over
    // three cache lines before, validation waited on a cache miss at each of its three reads of a series. The
    // record is 136 bytes (144 with malloc's header); every field costs 0.8 MB at 100k series.
    /// The series' id.
    let id: StableID
    /// Its slot in the head's dense list (set when the head takes it).
    var ref = SeriesRef.none
    /// Scratch state of the engine's all-or-nothing validation (beside `ref`, in its padding): while a validation
    /// pass has let a sample of this series through, 1 + the index of the pass's note of its newest sample; 0
    /// otherwise. The pass clears it before it returns.
    var pendingSlot: UInt32 = 0
    var lastTimestamp: Int64 = .min
    var lastBits: UInt64 = 0
    /// The engine's persist epoch this series' live samples belong to (`seal(at:cursor:)`).
    var epoch: UInt32 = 0
    /// The persist epoch (WAL segments since its cut) whose log defines `ref` as this series (`RefSampleRecord`);
    /// `.max` until this process first logs it.
    var walEpoch: UInt32 = .max
    /// The open chunk and the closed ones are modified in place on every append, which Swift checks for
    /// overlapping access at run time in a class (2 % of ingest CPU). Only the engine actor touches a series, and
    /// no access to either overlaps another (`append` closes a full chunk after the appender is done with it).
    @exclusivity(unchecked) var open: ChunkAppender?
    @exclusivity(unchecked) var chunks: [ClosedChunk] = []
    /// Out-of-order samples, sorted by time, timestamps unique and absent from the chunks.
    var outOfOrder: [Sample] = []
    /// Samples handed to a persist, kept until the next seal or release even once their block is installed (boxed:
    /// one reference in every series' record instead of two arrays and the engine's cursor).
    private var handedOver: FrozenBox?

    /// Samples being written as a block in the background (older than everything in `chunks`); nil once the
    /// block holding them is installed, as if released.
    var frozen: FrozenSamples? {
        guard let handedOver, epoch > handedOver.cursor.installedEpoch else { return nil }
        return handedOver.samples
    }

    init(id: StableID) {
        self.id = id
    }

    func append(_ sample: Sample, windowMs: Int64) -> AppendOutcome {
        if sample.timestampMs > lastTimestamp {
            // In place: copying `open` out and back would copy its bit stream on every append.
            ChunkAppender.append(sample.timestampMs, sample.value, to: &open) { full in
                chunks.append(ClosedChunk(minT: full.firstTimestamp, maxT: full.lastTimestamp, bytes: full.bytes))
            }
            lastTimestamp = sample.timestampMs
            lastBits = sample.value.bitPattern
            return .appended
        }
        if sample.timestampMs == lastTimestamp {
            return sample.value.bitPattern == lastBits ? .duplicate : .conflict
        }
        guard withinWindow(sample.timestampMs, windowMs: windowMs) else { return .tooOld }
        if let existing = storedValue(at: sample.timestampMs) {
            return existing.bitPattern == sample.value.bitPattern ? .duplicate : .conflict
        }
        let index = outOfOrder.firstIndex { $0.timestampMs > sample.timestampMs } ?? outOfOrder.endIndex
        outOfOrder.insert(sample, at: index)
        return .outOfOrder
    }

    /// Whether `timestamp` is no more than `windowMs` older than the newest sample.
    func withinWindow(_ timestamp: Int64, windowMs: Int64) -> Bool {
        let (oldest, overflow) = lastTimestamp.subtractingReportingOverflow(windowMs)
        return overflow || timestamp >= oldest
    }

    /// Whether any sample is held that is not yet persisted nor being persisted.
    var holdsSamples: Bool { !chunks.isEmpty || (open?.count ?? 0) > 0 || !outOfOrder.isEmpty }

    /// Hands the samples of an earlier persist epoch to `frozen` (still readable there; the next sample starts a
    /// new open chunk), once per persist: when the persist's pass reaches this series, or at its first append
    /// after the epoch moved, whichever comes first. So a persist never takes the actor for a pass over every
    /// series at once.
    @inline(__always)
    func seal(at current: UInt32, cursor: PersistCursor) {
        guard epoch != current else { return }
        precondition(frozen == nil, "a series is frozen by one persist at a time")
        epoch = current
        handedOver = nil
        guard holdsSamples else { return }
        // Moved, not copied: the arrays change hands.
        var taken = FrozenSamples(chunks: [], outOfOrder: [])
        swap(&taken.chunks, &chunks)
        swap(&taken.outOfOrder, &outOfOrder)
        if let chunk = open, chunk.count > 0 {
            taken.chunks.append(ClosedChunk(minT: chunk.firstTimestamp, maxT: chunk.lastTimestamp, bytes: chunk.bytes))
        }
        open = nil
        handedOver = FrozenBox(taken, cursor: cursor)
    }

    /// The frozen samples are in an installed block: drop the reference (they are no longer read anyway).
    func releaseFrozen() {
        handedOver = nil
    }

    /// Writing the frozen samples failed: take them back into the head.
    func thaw() {
        guard let taken = frozen else { return }
        chunks = taken.chunks + chunks
        outOfOrder = Self.merge(taken.outOfOrder, outOfOrder)
        handedOver = nil
    }

    /// The value stored at exactly `timestamp`, if any (decodes the chunk that covers it).
    func storedValue(at timestamp: Int64) -> Double? {
        if let sample = outOfOrder.first(where: { $0.timestampMs == timestamp }) { return sample.value }
        if let sample = frozen?.outOfOrder.first(where: { $0.timestampMs == timestamp }) { return sample.value }
        for chunk in allChunks() where chunk.minT <= timestamp && timestamp <= chunk.maxT {
            if let sample = (try? ChunkDecoder.decode(chunk.bytes))?.first(where: { $0.timestampMs == timestamp }) {
                return sample.value
            }
        }
        return nil
    }

    /// Frozen chunks, closed chunks and the open one, oldest first.
    func allChunks() -> [ClosedChunk] {
        guard let frozen else { return liveChunks() }
        return frozen.chunks + liveChunks()
    }

    /// Closed chunks plus the open one.
    func liveChunks() -> [ClosedChunk] {
        guard let chunk = open, chunk.count > 0 else { return chunks }
        return chunks + [ClosedChunk(minT: chunk.firstTimestamp, maxT: chunk.lastTimestamp, bytes: chunk.bytes)]
    }

    /// Samples with `from <= t <= to`, in time order, out-of-order samples merged in.
    func samples(from: Int64, to: Int64) -> [Sample] {
        slice(from: from, to: to).samples()
    }

    /// What a read of `from...to` needs, undecoded: taken on the engine actor, decoded off it.
    /// Nothing is decoded or copied here but references: this runs on the actor for every series a query reads.
    func slice(from: Int64, to: Int64) -> HeadSlice {
        var late = outOfOrder.isEmpty ? [] : outOfOrder.filter { $0.timestampMs >= from && $0.timestampMs <= to }
        var overlapping: [ClosedChunk] = []
        if let frozen {
            if !frozen.outOfOrder.isEmpty {
                late = Self.merge(frozen.outOfOrder.filter { $0.timestampMs >= from && $0.timestampMs <= to }, late)
            }
            for chunk in frozen.chunks where chunk.maxT >= from && chunk.minT <= to { overlapping.append(chunk) }
        }
        for chunk in chunks where chunk.maxT >= from && chunk.minT <= to { overlapping.append(chunk) }
        var current: ChunkAppender?
        if let open, open.count > 0, open.lastTimestamp >= from, open.firstTimestamp <= to { current = open }
        return HeadSlice(chunks: overlapping, open: current, late: late, from: from, to: to)
    }

    /// Two lists sorted by time merged into one (timestamps are unique across them).
    static func merge(_ first: [Sample], _ second: [Sample]) -> [Sample] {
        guard !first.isEmpty else { return second }
        guard !second.isEmpty else { return first }
        var merged: [Sample] = []
        merged.reserveCapacity(first.count + second.count)
        var i = 0
        var j = 0
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].timestampMs < second[j].timestampMs) {
                merged.append(first[i]); i += 1
            } else {
                merged.append(second[j]); j += 1
            }
        }
        return merged
    }
}
