import Hummingbird
import StrataWire

/// The query string of a request (`QueryString`), its errors as 400s.
struct QueryParameters {
    let query: QueryString

    /// The parameters of `request`.
    init(_ request: Request) {
        query = QueryString(request.uri.query ?? "")
    }

    /// The first value of `name`, if given.
    subscript(_ name: String) -> String? { query[name] }

    /// A whole number within `range`.
    func integer(_ name: String, in range: ClosedRange<Int64>, meaning: String) throws(APIError) -> Int64? {
        try badData { () throws(QueryString.Invalid) in try query.integer(name, in: range, meaning: meaning) }
    }

    /// A time in Unix milliseconds between the years 1 and 9999.
    func time(_ name: String) throws(APIError) -> Int64? { try badData { () throws(QueryString.Invalid) in try query.time(name) } }

    /// An id (a whole number ≥ 0).
    func id(_ name: String, meaning: String) throws(APIError) -> Int64? {
        try badData { () throws(QueryString.Invalid) in try query.id(name, meaning: meaning) }
    }

    /// The `limit` parameter, 1 to `maximum`, or `defaultValue`.
    func limit(default defaultValue: Int, maximum: Int = 10_000) throws(APIError) -> Int {
        try badData { () throws(QueryString.Invalid) in try query.limit(default: defaultValue, maximum: maximum) }
    }

    /// `from`..`to` in Unix ms (see `QueryString.window`).
    func window(defaultSpanMs: Int64, nowMs: Int64) throws(APIError) -> (from: Int64, to: Int64) {
        try badData { () throws(QueryString.Invalid) in try query.window(defaultSpanMs: defaultSpanMs, nowMs: nowMs) }
    }

    /// A step: seconds or a duration, 1 ms to 366 days.
    func step(_ name: String = "step") throws(APIError) -> Int64? { try badData { () throws(QueryString.Invalid) in try query.step(name) } }

    private func badData<T>(_ body: () throws(QueryString.Invalid) -> T) throws(APIError) -> T {
        do {
            return try body()
        } catch {
            throw APIError.badData(error.description)
        }
    }
}
