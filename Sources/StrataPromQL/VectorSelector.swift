import StrataTSDB

/// `http_requests_total{job="api"} @ 1700000000 offset 5m`: the series that match, sampled at each step.
///
/// `matchers` is what to pass to `Querier.select`: the matchers in braces in their order and, when the metric
/// name is written before the braces, `__name__="<name>"` last (as Prometheus assembles them). At least one
/// matcher does not match the empty string (the parser refuses `{}` and `{job=~".*"}`).
public struct VectorSelector: Sendable {
    /// The metric name written before the braces, if any.
    public var name: String?
    /// Every matcher, the name's included.
    public var matchers: [LabelMatcher]
    /// The `offset` as written, in milliseconds (negative for `offset -5m`; 0 when there is none).
    public var offsetMs: Int64
    /// The `@` modifier, if any.
    public var at: AtModifier?
    /// Where the selector (with its modifiers) is in the query.
    public var positionRange: PositionRange

    /// A selector; `matchers` must already hold the name's matcher when `name` is set.
    public init(name: String?, matchers: [LabelMatcher], offsetMs: Int64 = 0, at: AtModifier? = nil,
                positionRange: PositionRange) {
        self.name = name
        self.matchers = matchers
        self.offsetMs = offsetMs
        self.at = at
        self.positionRange = positionRange
    }
}

/// The `@` modifier: evaluate a selector or subquery at a fixed time rather than at each step.
public enum AtModifier: Sendable, Hashable {
    /// `@ 1700000000.5`: at this Unix time, in milliseconds.
    case timestamp(Int64)
    /// `@ start()`: at the start of the range query (the time of an instant query).
    case start
    /// `@ end()`: at the end of the range query (the time of an instant query).
    case end
}
