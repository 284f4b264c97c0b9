#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs CPU-bound work outside Swift's cooperative pool — which has one thread per core and also runs ingest
/// (the engine actor, the HTTP handlers) — on threads of its own at a lower scheduling priority, so work that
/// takes seconds takes only what ingest leaves over:
/// - `queries`: matching label values and decoding chunks for queries, nice 19, four threads per core (several
///   slow queries share the CPU instead of queueing; `QueryGate` keeps one tenant from holding them all). Work
///   is checked against its `QueryBudget` and stops at its deadline.
/// - `storage`: writing persisted heads as blocks, nice 5, one thread: ahead of queries, behind ingest.
final class BackgroundThreads: @unchecked Sendable {
    // `@unchecked Sendable`: the job list is behind a mutex and the semaphore is made for use from many
    // threads; pools live for the process.

    /// Query work.
    static let queries = BackgroundThreads(count: 4 * cores, nice: 19)
    /// Cores of this machine.
    static let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    /// Block writing.
    static let storage = BackgroundThreads(count: 1, nice: 5)

    /// Queued jobs; `available` counts them for the threads to wait on.
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let available: UnsafeMutablePointer<sem_t>
    private let nice: Int32

    private init(count: Int, nice: Int32) {
        self.nice = nice
        available = .allocate(capacity: 1)
        sem_init(available, 0, 0)
        for _ in 0..<count {
            let box = Unmanaged.passRetained(self)
            var thread = pthread_t()
            pthread_create(&thread, nil, { argument in
                let pool = Unmanaged<BackgroundThreads>.fromOpaque(argument!).takeRetainedValue()
                // On Linux, PRIO_PROCESS with id 0 sets the nice value of the calling thread only.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, pool.nice)
                pool.work()
                return nil
            }, box.toOpaque())
            pthread_detach(thread)
        }
    }

    /// The result of `work`, computed on one of the pool's threads.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            submit { continuation.resume(with: Result { try work() }) }
        }
    }

    /// `work` of each of `count` items' slices (`parts` contiguous ranges, see `slices`), run on the pool at
    /// once; the results in range order.
    func runSlices<T: Sendable>(_ count: Int, parts: Int,
                                _ work: @escaping @Sendable (Range<Int>) throws -> T) async throws -> [T] {
        let slices = Self.slices(count, parts: parts)
        return try await withThrowingTaskGroup(of: (Int, T).self) { group in
            for (number, range) in slices.enumerated() {
                group.addTask { (number, try await self.run { try work(range) }) }
            }
            var results = [T?](repeating: nil, count: slices.count)
            for try await (number, result) in group { results[number] = result }
            return results.map { $0! }
        }
    }

    /// `count` items cut into `parts` contiguous ranges.
    static func slices(_ count: Int, parts: Int) -> [Range<Int>] {
        let size = (count + parts - 1) / max(1, parts)
        return stride(from: 0, to: count, by: max(1, size)).map { $0..<min(count, $0 + size) }
    }

    /// Queues `job`.
    private func submit(_ job: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append(job) }
        sem_post(available)
    }

    /// Runs jobs for ever.
    private func work() -> Never {
        while true {
            while sem_wait(available) != 0 {}
            let job = jobs.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            job?()
        }
    }
}
