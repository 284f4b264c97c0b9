/// One collector's own thread, started on its first run: it runs the runs handed to it one after another
/// and sleeps in between. Keeping each collector on one thread keeps its allocations in one malloc arena
/// (glibc gives each thread one); threads started per run would pass the arenas around, and each would
/// come to hold the largest collector's working set.
final class CollectorWorker: @unchecked Sendable {
    // @unchecked: `run`, `closed` and `started` are read and written only with `lock` held.
    private let lock = ConditionLock()
    private var run: (@Sendable () -> Void)?
    private var closed = false
    private var started = false

    /// Hands `run` to the thread, starting it if need be; false (and `run` not taken) when the system
    /// refuses a thread. The caller hands a run only when the previous one has returned.
    func submit(_ run: @escaping @Sendable () -> Void) -> Bool {
        let needsThread = lock.withLock {
            self.run = run
            lock.signal()
            defer { started = true }
            return !started
        }
        if needsThread && !DetachedThread.start({ self.serve() }) {
            lock.withLock {
                self.run = nil
                started = false
            }
            return false
        }
        return true
    }

    /// Lets the thread end once it is idle (a run in progress finishes first).
    func close() {
        lock.withLock {
            closed = true
            lock.signal()
        }
    }

    private func serve() {
        while let run = next() { run() }
    }

    /// The next run, waiting for it; nil once closed.
    private func next() -> (@Sendable () -> Void)? {
        lock.withLock {
            while run == nil && !closed { lock.wait() }
            defer { run = nil }
            return run
        }
    }
}
