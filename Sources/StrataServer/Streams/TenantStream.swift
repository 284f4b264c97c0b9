import NIOCore
import StrataCore

/// One published batch as subscribers read it.
struct StreamBatch: Sendable {
    /// Its number within its tenant's stream.
    let sequence: UInt64
    let batch: SampleBatch
    /// When it was published (Unix ms).
    let publishedMs: Int64
}

/// Where a new subscriber starts.
enum StreamResume: Sendable, Equatable {
    /// With what is published from now on.
    case live
    /// After the batch with this sequence (the client's `Last-Event-ID`).
    case after(UInt64)
    /// After an id the server numbered before it restarted: a gap, then everything still held.
    case otherEpoch
}

/// Why a resumed subscriber starts with a gap.
enum StreamGapReason: Sendable, Equatable {
    /// Batches after its last id have left the ring.
    case expired
    /// Its last id is from before the server restarted.
    case restarted
}

/// What a subscriber reads next.
enum StreamItem: Sendable {
    case gap(StreamGapReason)
    case batch(StreamBatch)
}

/// What `take` hands a subscriber.
enum StreamDelivery: Sendable {
    /// The next items, in order; none when it has read everything.
    case items([StreamItem])
    /// It fell too far behind and was dropped (the reason, for the client).
    case dropped(String)
}

/// One tenant's sample stream: a ring of its recently published batches and a cursor per subscriber into it. The
/// ring serves both resuming clients and subscribers that lag a little; a subscriber whose next batch leaves the ring
/// (it fell more than the ring behind) is dropped, so a slow subscriber costs memory only within the ring's bounds
/// and never holds back ingest.
///
/// A value-type state machine: each method changes the state and returns what to do (whom to wake); `SampleStreams`
/// runs it under its lock, tests drive it without I/O. Invariants: sequences in the ring are consecutive and end at
/// `nextSequence - 1`; the newest batch is always kept; a subscriber not dropped has `next >= ring.first.sequence`.
struct TenantStream {
    struct Subscriber {
        /// The sequence of the next batch it reads.
        var next: UInt64
        /// A gap to report before anything else.
        var gap: StreamGapReason?
        /// Its last `take` found nothing: the next publish wakes it.
        var waiting = false
        /// Why it was dropped, once it was.
        var dropped: String?
        /// Called, outside the lock, when there is something to read or it was dropped.
        let wake: @Sendable () -> Void
    }

    let limits: StreamLimits
    private(set) var ring = CircularBuffer<StreamBatch>()
    /// Samples in the ring.
    private(set) var ringSamples = 0
    /// The sequence the next published batch gets.
    private(set) var nextSequence: UInt64
    private(set) var subscribers: [UInt64: Subscriber] = [:]
    /// When the last subscriber left (nil while there is one).
    private(set) var idleSinceMs: Int64?

    /// A stream whose first batch gets `nextSequence` (from 1; a tenant's stream that was let go and is made again
    /// continues its numbering).
    init(limits: StreamLimits, nextSequence: UInt64 = 1) {
        self.limits = limits
        self.nextSequence = nextSequence
    }

    /// Adds a batch to the ring, lets go of what the limits no longer hold, drops the subscribers that had not read
    /// that yet, and returns whom to wake (waiting subscribers and dropped ones) and how many were dropped.
    mutating func publish(_ batch: SampleBatch, nowMs: Int64) -> (wake: [@Sendable () -> Void], dropped: Int) {
        ring.append(StreamBatch(sequence: nextSequence, batch: batch, publishedMs: nowMs))
        ringSamples += batch.count
        nextSequence += 1
        while ring.count > 1, let oldest = ring.first,
              ringSamples > limits.ringSamples || ring.count > limits.ringBatches || nowMs - oldest.publishedMs > limits.ringMs {
            ring.removeFirst()
            ringSamples -= oldest.batch.count
        }
        let oldest = ring.first!.sequence
        var wake: [@Sendable () -> Void] = []
        var dropped = 0
        var index = subscribers.values.startIndex
        while index != subscribers.values.endIndex {
            defer { subscribers.values.formIndex(after: &index) }
            guard subscribers.values[index].dropped == nil else { continue }
            if subscribers.values[index].next < oldest {
                subscribers.values[index].dropped = dropReason
                dropped += 1
                wake.append(subscribers.values[index].wake)
            } else if subscribers.values[index].waiting {
                subscribers.values[index].waiting = false
                wake.append(subscribers.values[index].wake)
            }
        }
        return (wake, dropped)
    }

    /// Adds subscriber `id`, starting where `resume` says.
    mutating func subscribe(_ id: UInt64, resume: StreamResume, wake: @escaping @Sendable () -> Void) {
        let oldest = ring.first?.sequence ?? nextSequence
        var subscriber = Subscriber(next: nextSequence, wake: wake)
        switch resume {
        case .live:
            break
        case .after(let sequence):
            if sequence >= nextSequence - 1 {
                break  // nothing missed (or an id this stream has not reached: nothing to replay either)
            } else if sequence + 1 >= oldest {
                subscriber.next = sequence + 1
            } else {
                subscriber.gap = .expired
                subscriber.next = oldest
            }
        case .otherEpoch:
            subscriber.gap = .restarted
            subscriber.next = oldest
        }
        subscribers[id] = subscriber
        idleSinceMs = nil
    }

    /// Up to `limit` items for subscriber `id`, advancing its cursor; when there are none it waits for a wake-up.
    mutating func take(_ id: UInt64, limit: Int) -> StreamDelivery {
        guard var subscriber = subscribers[id] else { return .dropped("the subscription ended") }
        if let reason = subscriber.dropped { return .dropped(reason) }
        var items: [StreamItem] = []
        if let gap = subscriber.gap {
            items.append(.gap(gap))
            subscriber.gap = nil
        }
        if let oldest = ring.first?.sequence, subscriber.next < nextSequence {
            guard subscriber.next >= oldest else { return .dropped(dropReason) }
            var index = ring.index(ring.startIndex, offsetBy: Int(subscriber.next - oldest))
            while items.count < limit, index != ring.endIndex {
                items.append(.batch(ring[index]))
                subscriber.next = ring[index].sequence + 1
                index = ring.index(after: index)
            }
        }
        subscriber.waiting = items.isEmpty
        subscribers[id] = subscriber
        return .items(items)
    }

    /// Removes subscriber `id`; the ring stays for `limits.ringMs` after the last one left, for reconnects.
    mutating func cancel(_ id: UInt64, nowMs: Int64) {
        subscribers[id] = nil
        if subscribers.isEmpty { idleSinceMs = nowMs }
    }

    /// Whether no subscriber has been here for as long as the ring holds batches: the stream can be let go.
    func isIdle(nowMs: Int64) -> Bool {
        guard subscribers.isEmpty, let idleSinceMs else { return false }
        return nowMs - idleSinceMs > limits.ringMs
    }

    /// What a dropped client is told.
    var dropReason: String {
        "the subscriber fell behind ingest by more than the server holds (\(limits.ringMs / 1000) s, \(limits.ringSamples) samples or "
            + "\(limits.ringBatches) batches); reconnect with Last-Event-ID to resume from what is still held"
    }
}
