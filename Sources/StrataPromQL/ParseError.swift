/// Why a query does not parse, with the message and position Prometheus 2.42 gives for it.
///
/// `description` is Prometheus's text — `1:5: parse error: unexpected <EOF>`-style: line and column (1-based,
/// the column counted in bytes) then the message — which the HTTP API returns as `bad_data`.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `unexpected identifier "bar" in aggregation`.
    public var message: String
    /// Where, in bytes of the query's UTF-8.
    public var positionRange: PositionRange
    /// The query, to turn the position into line and column.
    public var query: [UInt8]

    /// An error at `positionRange` of `query`.
    public init(message: String, positionRange: PositionRange, query: [UInt8]) {
        self.message = message
        self.positionRange = positionRange
        self.query = query
    }

    /// Line (from 1).
    public var line: Int { lineAndColumn?.line ?? 0 }
    /// Column in bytes (from 1).
    public var column: Int { lineAndColumn?.column ?? 0 }

    private var lineAndColumn: (line: Int, column: Int)? {
        let position = positionRange.start
        guard position >= 0, position <= query.count else { return nil }
        var line = 1
        var lastBreak = -1
        for index in 0..<position where query[index] == 0x0A {
            line += 1
            lastBreak = index
        }
        return (line, position - lastBreak)
    }

    /// `<line>:<column>: parse error: <message>`, as Prometheus prints it.
    public var description: String {
        guard let (line, column) = lineAndColumn else { return "invalid position: parse error: \(message)" }
        return "\(line):\(column): parse error: \(message)"
    }
}
