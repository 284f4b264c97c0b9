/// Where collector threads leave their finished runs and the agent's loop picks them up, waiting for them
/// until a deadline.
final class CollectorMailbox: @unchecked Sendable {
    // @unchecked: `posted` is read and written only with `lock` held, which is signalled after every post.

    /// One run that returned.
    struct Finished: Sendable {
        /// The collector's position in the runner.
        var slot: Int
        /// The collector as the run left it (its state for the next run).
        var collector: any Collector
        /// What the run was asked for.
        var pass: CollectionPass
        /// What it found.
        var report: CollectorReport
    }

    private let lock = ConditionLock()
    private var posted: [Finished] = []

    /// Leaves a finished run (from the collector's thread).
    func post(_ finished: Finished) {
        lock.withLock {
            posted.append(finished)
            lock.signal()
        }
    }

    /// Takes every finished run left so far; when there is none, first waits for one until `untilMs`
    /// (`Clock.monotonicMs`; nil: no wait). May return empty before `untilMs` (a spurious wake-up).
    func take(waitingUntilMs untilMs: Int64? = nil) -> [Finished] {
        lock.withLock {
            if posted.isEmpty, let untilMs { lock.wait(untilMs: untilMs) }
            defer { posted.removeAll() }
            return posted
        }
    }
}
