/// `http_requests_total[5m]`: every sample of the selected series within a range before each step.
///
/// The selector's `offsetMs` and `at` apply to the range (Prometheus keeps them on the inner selector and
/// prints them after the brackets: `x[5m] @ 100.000 offset 1m`).
public struct MatrixSelector: Sendable {
    /// The series and their modifiers.
    public var selector: VectorSelector
    /// How far back from each step, in milliseconds (> 0).
    public var rangeMs: Int64
    /// Where the selector ends in the query (after its modifiers).
    public var endPosition: Int

    /// A range selector.
    public init(selector: VectorSelector, rangeMs: Int64, endPosition: Int) {
        self.selector = selector
        self.rangeMs = rangeMs
        self.endPosition = endPosition
    }

    /// Where the selector is in the query.
    public var positionRange: PositionRange { PositionRange(start: selector.positionRange.start, end: endPosition) }
}
