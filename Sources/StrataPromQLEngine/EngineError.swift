import StrataTSDB

/// Why a query could not be answered, with Prometheus's error type: `execution` (HTTP 422) for what evaluation
/// finds (many-to-many matching, duplicate label sets, a NaN `topk` k, too many samples), `timeout` and
/// `canceled` (503) when the `QueryBudget` runs out, `badData` (400) for a query the engine refuses to start.
public struct EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prometheus's error types.
    public enum Kind: String, Sendable, Equatable {
        case execution
        case timeout
        case canceled
        case badData = "bad_data"
    }

    /// The type of the error.
    public var kind: Kind
    /// The message, worded as Prometheus words it where it has one.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// An evaluation error.
    static func execution(_ message: String) -> EngineError { EngineError(.execution, message) }

    /// The error for a query that loaded more than `limit` samples (Prometheus's `--query.max-samples`).
    static func tooManySamples() -> EngineError {
        .execution(QueryBudget.tooManySamplesMessage)
    }

    /// A budget's refusal as an engine error.
    init(_ error: QueryError) {
        switch error.reason {
        case .timeout: self.init(.timeout, "query timed out in expression evaluation")
        case .canceled: self.init(.canceled, "query was canceled in expression evaluation")
        case .invalid: self.init(.badData, error.message)
        case .tooLarge: self = .tooManySamples()
        }
    }

    public var description: String { message }
}
