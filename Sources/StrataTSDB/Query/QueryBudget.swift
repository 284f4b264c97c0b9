import Synchronization

/// How long a query may run, how much it may read, and whether whoever asked still wants the answer. The engine
/// checks it between label values and between series, so a query stops within a small slice of work once its
/// deadline passes, its client goes away (`isAbandoned`), its task is cancelled or it has decoded more samples than
/// `sampleLimit` — a pathological selector can neither run on nor fill memory before it is refused.
public struct QueryBudget: Sendable {
    /// When the query must have finished.
    public var deadline: ContinuousClock.Instant
    /// Whether the client has gone away (e.g. its connection closed); checked from any thread.
    public var isAbandoned: @Sendable () -> Bool
    /// Most samples the query's reads may decode, summed over all its selectors (the PromQL engine sets its
    /// `maxSamples` here); unlimited by default.
    public var sampleLimit = Int.max
    /// Raised when the task running the query is cancelled.
    let cancelled = CancellationFlag()
    /// Samples decoded so far, by every copy of this budget (the slices of one read share it).
    let decoded = SampleTally()

    /// A budget of `timeout` from now.
    public init(timeout: Duration, isAbandoned: @escaping @Sendable () -> Bool = { false }) {
        deadline = .now + timeout
        self.isAbandoned = isAbandoned
    }

    /// No deadline (tests and in-process callers).
    public static var unlimited: QueryBudget { QueryBudget(timeout: .seconds(86_400 * 365)) }

    /// Throws `QueryError` with reason `timeout` or `canceled` once the query should stop.
    public func check() throws(QueryError) {
        if cancelled.isRaised || isAbandoned() {
            throw QueryError(message: "the query was canceled: its client went away", reason: .canceled)
        }
        if ContinuousClock.now >= deadline {
            throw QueryError(message: "the query ran past its timeout; narrow the selector or the range", reason: .timeout)
        }
    }
}

extension QueryBudget {
    /// Counts `samples` just decoded against `sampleLimit`; throws `QueryError` with reason `tooLarge` once the
    /// sum passes it, so a read stops before it holds much more than the limit in memory.
    public func charge(samples: Int) throws(QueryError) {
        guard sampleLimit != Int.max else { return }
        if decoded.add(samples) > sampleLimit {
            throw QueryError(message: Self.tooManySamplesMessage, reason: .tooLarge)
        }
    }

    /// What a read past `sampleLimit` answers: Prometheus's words for its `--query.max-samples`.
    public static let tooManySamplesMessage = "query processing would load too many samples into memory in query execution"

    /// Samples charged so far.
    public var samplesDecoded: Int { decoded.total }
}

/// A running sum shared by the threads of one query. When the query's last copy of its budget goes, a large read's
/// freed memory is handed back to the system (`HeapTrim`).
final class SampleTally: Sendable {
    private let sum = Atomic<Int>(0)

    deinit {
        if total >= HeapTrim.threshold { HeapTrim.afterLargeRead() }
    }

    /// The sum so far.
    var total: Int { sum.load(ordering: .relaxed) }

    /// Adds `count` (negative counts as 0) and returns the new sum, or `Int.max` when the sum overflowed.
    func add(_ count: Int) -> Int {
        let (new, _) = sum.wrappingAdd(max(0, count), ordering: .relaxed)
        return new < 0 ? Int.max : new
    }
}

/// A flag raised once, read from any thread.
final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Whether `raise()` was called.
    var isRaised: Bool { raised.load(ordering: .relaxed) }

    /// Raises the flag.
    func raise() { raised.store(true, ordering: .relaxed) }
}
