import Hummingbird
import StrataCore
import StrataTSDB
import StrataWire

/// Reading a Prometheus API request and writing its answer: parameters from the URL and a form body, selectors,
/// the time window, the limit, and the success envelope with its warnings.
enum PrometheusRequest {
    /// The largest form body taken (Grafana sends long queries by POST).
    static let maxFormBytes = 1 << 20

    /// The request's parameters: its query string and, for `application/x-www-form-urlencoded` bodies, the form.
    static func parameters(_ request: Request, _ context: StrataRequestContext) async throws -> PrometheusParameters {
        let query = request.uri.query ?? ""
        guard request.method == .post else { return PrometheusParameters(query: query) }
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            if type.isEmpty { return PrometheusParameters(query: query) }
            throw APIError.unsupportedMediaType("a POST takes its parameters as application/x-www-form-urlencoded, not \(type)")
        }
        let body: ByteBuffer
        do {
            body = try await BodyReader.collect(request, limit: maxFormBytes)
        } catch is BodyTooLarge {
            throw APIError.tooLarge("the form is larger than \(maxFormBytes) bytes")
        }
        return PrometheusParameters(query: query, form: String(buffer: body))
    }

    /// The matchers of each `match[]` selector; a bad one is Prometheus's `invalid parameter "match[]"` error.
    static func matchers(_ selectors: [String]) throws -> [[LabelMatcher]] {
        try selectors.map { selector in
            do {
                return try SeriesSelector.parse(selector)
            } catch {
                throw APIError.badData("invalid parameter \"match[]\": \(error)")
            }
        }
    }

    /// `start` and `end` (defaults: all time), end not before start.
    static func window(_ parameters: PrometheusParameters) throws -> (start: Int64, end: Int64) {
        do {
            let start = try parameters.time("start", default: PrometheusParameters.earliestMs)
            let end = try parameters.time("end", default: PrometheusParameters.latestMs)
            guard end >= start else { throw APIError.badData("invalid parameter \"end\": end timestamp must not be before start time") }
            return (start, end)
        } catch let invalid as PrometheusParameters.Invalid {
            throw APIError.badData(invalid.description)
        }
    }

    /// The `limit` parameter (nil: none).
    static func limit(_ parameters: PrometheusParameters) throws -> Int? {
        do {
            return try parameters.limit()
        } catch {
            throw APIError.badData(error.description)
        }
    }

    /// A Prometheus label name: `[a-zA-Z_][a-zA-Z0-9_]*`.
    static func isLabelName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first == 95 || (65...90).contains(first) || (97...122).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == 95 || (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) }
    }

    /// `{"status":"success","data":…}`, with `"warnings"` when there are any.
    static func success(_ data: JSON, warnings: [String] = []) -> Response {
        var fields: [(String, JSON)] = [("status", "success"), ("data", data)]
        if !warnings.isEmpty { fields.append(("warnings", .array(warnings.map { .string($0) }))) }
        return Response(status: .ok, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: JSON.object(fields).text)))
    }
}
