#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Runs a query's CPU-bound work (matching label values, decoding chunks) on a few threads of its own,
/// outside Swift's cooperative pool — which has one thread per core and also runs ingest (the engine actor,
/// the HTTP handlers) — and at the lowest scheduling priority (nice 19), so a query that works for seconds
/// takes only what ingest leaves over. Work is checked against its `QueryBudget` and stops at its deadline.
enum QueryRunner {
    /// The result of `work`, computed on a query thread.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            QueryThreads.shared.submit { continuation.resume(with: Result { try work() }) }
        }
    }
}

/// A fixed set of low-priority threads taking jobs in order. `@unchecked Sendable`: the job list is behind a
/// mutex and the semaphore is made for use from many threads; the pool lives for the process.
final class QueryThreads: @unchecked Sendable {
    /// Four threads per core: several slow queries share the CPU (the kernel time-slices them) instead of
    /// queueing behind each other, and a tenant's limit of concurrent queries (`QueryGate`) keeps any one
    /// tenant from holding them all.
    static let shared = QueryThreads(count: 4 * max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))

    /// Queued jobs; `available` counts them for the threads to wait on.
    private let jobs = Mutex<[@Sendable () -> Void]>([])
    private let available: UnsafeMutablePointer<sem_t>

    private init(count: Int) {
        available = .allocate(capacity: 1)
        sem_init(available, 0, 0)
        for _ in 0..<count {
            let box = Unmanaged.passRetained(self)
            var thread = pthread_t()
            pthread_create(&thread, nil, { argument in
                let pool = Unmanaged<QueryThreads>.fromOpaque(argument!).takeRetainedValue()
                // On Linux, PRIO_PROCESS with id 0 sets the nice value of the calling thread only: this one
                // yields to ingest's threads.
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
                pool.work()
                return nil
            }, box.toOpaque())
            pthread_detach(thread)
        }
    }

    /// Queues `job`.
    func submit(_ job: @escaping @Sendable () -> Void) {
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
