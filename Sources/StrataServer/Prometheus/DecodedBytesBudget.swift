import StrataTSDB
import Synchronization

/// How many decoded bytes of large write requests may be in memory at once.
///
/// A remote-write body of 12 MB can decode to 256 MiB and cost about six times that while its samples and new
/// series are taken in (an outside probe measured 1.5 GB for one; four at once took a server to 6.3 GB). Requests
/// that decode to at least `threshold` bytes take a share of `limit` for their whole handling and wait, polling,
/// while others hold it; a request that finds no room within its wait is refused (503, to be retried), so a burst of
/// large bodies queues instead of exhausting memory. Requests below `threshold` (every batch a Prometheus server
/// sends by default is far below) never touch the budget.
final class DecodedBytesBudget: Sendable {
    /// The most decoded bytes of large requests held at once; a single request is always let in alone.
    let limit: Int
    /// Requests decoding to fewer bytes are not counted.
    let threshold: Int
    private let state = Mutex<(used: Int, holders: Int)>((0, 0))

    init(limit: Int, threshold: Int = 8 << 20) {
        self.limit = limit
        self.threshold = threshold
    }

    /// Bytes held by large requests now.
    var used: Int { state.withLock { $0.used } }

    /// Takes `bytes` of the budget, waiting up to `wait` for room; false when there was none in time (or the task was
    /// cancelled). Always true below `threshold`. Each true must be matched by `release(bytes)`.
    func acquire(_ bytes: Int, wait: Duration) async -> Bool {
        guard bytes >= threshold else { return true }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: wait)
        while true {
            let taken = state.withLock { state -> Bool in
                // Alone, any request fits: `limit` bounds how many share the memory, not how large one may be.
                guard state.holders == 0 || state.used + bytes <= limit else { return false }
                state.used += bytes
                state.holders += 1
                return true
            }
            if taken { return true }
            guard clock.now < deadline, (try? await Task.sleep(for: .milliseconds(20))) != nil else { return false }
        }
    }

    /// Gives back what `acquire(bytes)` took; the last large request out has freed memory handed back to the system
    /// shortly after (`HeapTrim`: glibc keeps it in its arenas otherwise; the probe saw 3.9 GB stay after the four).
    func release(_ bytes: Int) {
        guard bytes >= threshold else { return }
        let last = state.withLock { state -> Bool in
            state.used -= bytes
            state.holders -= 1
            return state.holders == 0
        }
        if last { HeapTrim.afterLargeRead() }
    }
}
