/// Parses PromQL as Prometheus 2.42 does: the same grammar, the same checks, the same first error.
///
/// ```swift
/// let expr = try PromQLParser.parse("rate(http_requests_total{job=\"api\"}[5m]) > 0.5")
/// print(expr)  // rate(http_requests_total{job="api"}[5m]) > 0.5
/// ```
///
/// A query that does not parse throws a `ParseError` whose `description` is Prometheus's text
/// (`1:10: parse error: unexpected end of input`). Hostile input is bounded: `Limits` caps the length and
/// the nesting, and the work is linear in the length.
public enum PromQLParser {
    /// Bounds on what the parser accepts, so that no query can exhaust the stack or take long.
    public struct Limits: Sendable, Hashable {
        /// Longest query in bytes of UTF-8 (default 64 KiB).
        public var maxQueryBytes: Int
        /// Deepest nesting of the syntax tree and of the parser (default 512): parentheses, calls, operators
        /// and chains of operators each add a level.
        public var maxDepth: Int

        /// Limits; the defaults are far above what people and dashboards write.
        public init(maxQueryBytes: Int = 64 * 1024, maxDepth: Int = 512) {
            self.maxQueryBytes = maxQueryBytes
            self.maxDepth = maxDepth
        }
    }

    /// The checked syntax tree of `query`.
    public static func parse(_ query: String, limits: Limits = Limits()) throws(ParseError) -> Expr {
        try parse(utf8: Array(query.utf8), limits: limits)
    }

    /// The checked syntax tree of a query given as UTF-8 bytes (invalid UTF-8 is reported where Prometheus
    /// reports it: in strings, as `invalid UTF-8 rune`).
    public static func parse(utf8 query: [UInt8], limits: Limits = Limits()) throws(ParseError) -> Expr {
        guard query.count <= limits.maxQueryBytes else {
            throw ParseError(message: "query is \(query.count) bytes long, more than the \(limits.maxQueryBytes) accepted; shorten it",
                             positionRange: PositionRange(start: 0, end: 0), query: query)
        }
        var parser = Parser(query, limits: limits)
        let expr = try parser.parseQuery()
        return try TypeChecker(query: query).check(expr).expr
    }
}
