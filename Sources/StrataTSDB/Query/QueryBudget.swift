import Synchronization

/// How long a query may run, and whether whoever asked still wants the answer. The engine checks it between
/// label values and between series, so a query stops within a small slice of work once its deadline passes,
/// its client goes away (`isAbandoned`) or its task is cancelled — a pathological selector cannot run on.
public struct QueryBudget: Sendable {
    /// When the query must have finished.
    public var deadline: ContinuousClock.Instant
    /// Whether the client has gone away (e.g. its connection closed); checked from any thread.
    public var isAbandoned: @Sendable () -> Bool
    /// Raised when the task running the query is cancelled.
    let cancelled = CancellationFlag()

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

/// A flag raised once, read from any thread.
final class CancellationFlag: Sendable {
    private let raised = Atomic<Bool>(false)

    /// Whether `raise()` was called.
    var isRaised: Bool { raised.load(ordering: .relaxed) }

    /// Raises the flag.
    func raise() { raised.store(true, ordering: .relaxed) }
}
