import Metrics
import StrataCore
import StrataTSDB
import Synchronization

/// The hand-off from ingest to the live sample streams (`GET /api/v1/stream`): both intakes publish each committed
/// batch here without waiting, and each open stream reads its tenant's batches on its own task, where it matches
/// them against its selectors and resolves labels.
///
/// Publishing costs one atomic load while no tenant has a stream; otherwise one lock, one append to the tenant's ring
/// (`TenantStream`), and a wake-up for each subscriber that was waiting. Nothing a subscriber does can make a publish
/// wait: a subscriber that falls further behind than the ring holds is dropped (`StreamLimits`).
public final class SampleStreams: Sendable {
    /// An open subscription; pass it to `take` and, when done, to `cancel`.
    struct Subscription: Sendable, Hashable {
        let id: UInt64
        let tenantID: String
    }

    private struct State {
        var tenants: [String: TenantStream] = [:]
        /// The next sequence of each tenant whose stream was let go, so numbers never repeat within the epoch.
        var sequences: [String: UInt64] = [:]
        var lastID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Number of tenants with a stream; while 0, `publish` returns at once. Changed only under the lock.
    private let activeTenants = Atomic<Int>(0)
    /// The numbering's epoch: when this hub was made (Unix ms).
    let epoch: Int64
    let limits: StreamLimits
    private let clock: @Sendable () -> Int64
    private let dropped = Counter(label: "strata_stream_subscribers_dropped_total", dimensions: [("reason", "behind")])

    /// A hub holding `limits` per tenant; `clock` (Unix ms) ages the rings.
    public init(limits: StreamLimits = StreamLimits(), clock: @escaping @Sendable () -> Int64 = { WallClock.nowMs() }) {
        self.limits = limits
        self.clock = clock
        epoch = clock()
    }

    /// Whether `tenantID` has a stream (ingest builds a `SampleBatch` for it only then).
    public func wants(_ tenantID: String) -> Bool {
        guard activeTenants.load(ordering: .relaxed) > 0 else { return false }
        return state.withLock { $0.tenants[tenantID] != nil }
    }

    /// Hands over a committed batch of `tenantID`; `batch.labels` may hold the labels of some of its series (the rest
    /// are looked up by the subscribers). Never waits.
    public func publish(tenantID: String, batch: SampleBatch) {
        guard !batch.isEmpty, activeTenants.load(ordering: .relaxed) > 0 else { return }
        let now = clock()
        let (wake, dropped): ([@Sendable () -> Void], Int) = state.withLock { state in
            guard let stream = state.tenants[tenantID] else { return ([], 0) }
            if stream.isIdle(nowMs: now) {
                // Batches from now on go unnumbered until the next subscriber: skipping a number makes a client that
                // resumes from before them get a gap.
                state.sequences[tenantID] = stream.nextSequence + 1
                state.tenants[tenantID] = nil
                activeTenants.subtract(1, ordering: .relaxed)
                return ([], 0)
            }
            return state.tenants[tenantID]!.publish(batch, nowMs: now)
        }
        if dropped > 0 { self.dropped.increment(by: dropped) }
        for wake in wake { wake() }
    }

    /// Subscribes to `tenantID`'s batches published from now on, or, given the client's last position, to those after
    /// it that are still held (after a gap when some are not). `wake` is called (on the publishing task, so it must
    /// only signal) when there is something to `take` after a `take` found nothing, and when the subscriber is dropped.
    func subscribe(tenantID: String, after position: StreamPosition? = nil, wake: @escaping @Sendable () -> Void) -> Subscription {
        let resume: StreamResume = switch position {
        case nil: .live
        case let position? where position.epoch == epoch: .after(position.sequence)
        case _?: .otherEpoch
        }
        return state.withLock { state in
            state.lastID += 1
            if state.tenants[tenantID] == nil {
                state.tenants[tenantID] = TenantStream(limits: limits, nextSequence: state.sequences[tenantID] ?? 1)
                activeTenants.add(1, ordering: .relaxed)
            }
            state.tenants[tenantID]!.subscribe(state.lastID, resume: resume, wake: wake)
            return Subscription(id: state.lastID, tenantID: tenantID)
        }
    }

    /// Up to `limit` next items of `subscription` (none: it has read everything, and `wake` will say when there is
    /// more), or that it was dropped.
    func take(_ subscription: Subscription, limit: Int = 64) -> StreamDelivery {
        state.withLock { state in
            guard state.tenants[subscription.tenantID] != nil else { return .dropped("the subscription ended") }
            return state.tenants[subscription.tenantID]!.take(subscription.id, limit: limit)
        }
    }

    /// Ends a subscription.
    func cancel(_ subscription: Subscription) {
        let now = clock()
        state.withLock { state in
            state.tenants[subscription.tenantID]?.cancel(subscription.id, nowMs: now)
        }
    }

    /// The position of the batch numbered `sequence`, as clients see it.
    func position(_ sequence: UInt64) -> StreamPosition { StreamPosition(epoch: epoch, sequence: sequence) }

    /// Open subscriptions of every tenant (for tests and metrics).
    public var subscriberCount: Int { state.withLock { $0.tenants.values.reduce(0) { $0 + $1.subscribers.count } } }
}
