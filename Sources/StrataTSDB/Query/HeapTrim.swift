import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Gives the memory a large read freed back to the system. A query that decodes millions of samples allocates them
/// as many arrays of tens of kilobytes, below glibc's `mmap` threshold, spread over its per-thread arenas; freed,
/// they stay in the process (an outside probe saw a server that ingested in 110 MiB stay at 5.4 GB after two loops
/// of refused queries) until `malloc_trim` returns the free pages. A trim runs shortly after such a read ends, on a
/// utility thread; trims never overlap and at most one starts a second — a read that ends meanwhile gets the next.
/// Large write requests ask for one too (`DecodedBytesBudget` in the server).
public enum HeapTrim {
    /// Reads that decoded at least this many samples (64 MiB of them) ask for a trim when they end.
    static let threshold = 4_000_000
    /// Whether a trim is scheduled or running, and whether another was asked for meanwhile.
    private static let state = Mutex((busy: false, again: false))
    /// glibc's `malloc_trim`, looked up once (its header is not in the Glibc module); nil elsewhere.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Asks for a trim: scheduled now when none is pending, else after the pending one.
    public static func afterLargeRead() {
        let start = state.withLock { state in
            if state.busy { state.again = true; return false }
            state.busy = true
            return true
        }
        if start { schedule(after: .milliseconds(100)) }
    }

    private static func schedule(after delay: DispatchTimeInterval) {
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + delay) {
            state.withLock { $0.again = false }
            _ = trim?(0)
            let again = state.withLock { state in
                if !state.again { state.busy = false }
                return state.again
            }
            if again { schedule(after: .seconds(1)) }
        }
    }
}
