#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A mutex with a condition variable whose timed waits run on CLOCK_MONOTONIC (a wall-clock step cannot
/// stretch them), for the few places threads hand work to each other without Swift concurrency.
final class ConditionLock: @unchecked Sendable {
    // @unchecked: the pthread objects are made for sharing between threads; they are allocated once, never
    // moved, and destroyed only when no thread can hold a reference any more.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// An unlocked lock.
    init() {
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the mutex held.
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }

    /// With the mutex held (inside `withLock`): releases it until signalled or, when `untilMs` is given, until
    /// then (`Clock.monotonicMs`), and holds it again. May return early (a spurious wake-up): check again.
    func wait(untilMs: Int64? = nil) {
        guard let untilMs else {
            pthread_cond_wait(condition, mutex)
            return
        }
        var deadline = timespec(tv_sec: Int(untilMs / 1000), tv_nsec: Int(untilMs % 1000) * 1_000_000)
        _ = pthread_cond_timedwait(condition, mutex, &deadline)
    }

    /// Wakes the waiting threads.
    func signal() {
        pthread_cond_broadcast(condition)
    }
}
