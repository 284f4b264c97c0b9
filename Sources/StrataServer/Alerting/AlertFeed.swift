import StrataCore
import Synchronization

/// The hand-off from ingest to the alert evaluator: ingest drops each committed batch here without waiting (a
/// lock, an append, at most one wake-up) and only for tenants that have threshold definitions, so alerting adds
/// nothing to an acknowledgement's latency; the evaluator drains it on its own task.
///
/// Bounded: past `capacity` pending samples the oldest batches are dropped and counted (the evaluator is behind;
/// alerts then work from newer samples, never by stalling ingest).
public final class AlertFeed: Sendable {
    struct Item: Sendable {
        var tenantID: String
        var batch: SampleBatch
        var receivedMs: Int64
    }

    struct State: ~Copyable {
        var items: [Item] = []
        var pendingSamples = 0
        var dropped = 0
        var tenants: Set<String> = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())
    let capacity: Int

    public init(capacity: Int = 1_000_000) { self.capacity = capacity }

    /// Whether `tenantID` has threshold definitions (ingest skips the feed otherwise).
    func wants(_ tenantID: String) -> Bool { state.withLock { $0.tenants.contains(tenantID) } }

    /// Sets the tenants with threshold definitions.
    func setTenants(_ tenants: Set<String>) { state.withLock { $0.tenants = tenants } }

    /// Hands over a committed batch.
    func submit(tenantID: String, batch: SampleBatch, receivedMs: Int64) {
        guard !batch.isEmpty else { return }
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.tenants.contains(tenantID) else { return nil }
            state.items.append(Item(tenantID: tenantID, batch: batch, receivedMs: receivedMs))
            state.pendingSamples += batch.count
            while state.pendingSamples > capacity, state.items.count > 1 {
                let dropped = state.items.removeFirst()
                state.pendingSamples -= dropped.batch.count
                state.dropped += dropped.batch.count
            }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Takes everything submitted so far, waiting until something is (or until `cancelled` says stop).
    func take() async -> (items: [Item], dropped: Int) {
        while true {
            let taken: (items: [Item], dropped: Int)? = state.withLock { state in
                guard !state.items.isEmpty else { return nil }
                defer {
                    state.items = []
                    state.pendingSamples = 0
                    state.dropped = 0
                }
                return (state.items, state.dropped)
            }
            if let taken { return taken }
            if Task.isCancelled { return ([], 0) }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow: Bool = state.withLock { state in
                        if !state.items.isEmpty { return true }
                        state.waiter?.resume()
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                    defer { state.waiter = nil }
                    return state.waiter
                }
                waiter?.resume()
            }
        }
    }
}
