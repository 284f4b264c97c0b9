import Hummingbird

/// The media type of a request body, as the routes and the CSRF rule judge it.
enum ContentType {
    /// The media type of `headers`' `Content-Type`, lowercased, without parameters; nil when absent.
    static func mediaType(_ headers: HTTPFields) -> String? {
        guard let value = headers[.contentType] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map { $0.trimmingHTTPWhitespace().lowercased() } ?? ""
        return type.isEmpty ? nil : type
    }

    /// Whether `headers` declare a JSON body: `application/json` or an `application/…+json` type.
    static func isJSON(_ headers: HTTPFields) -> Bool {
        guard let type = mediaType(headers) else { return false }
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// Whether a browser could send this request across sites without asking first (a CORS "simple"
    /// request): no `Content-Type`, or one an HTML form can produce. Such a request must not be able to
    /// change anything on the strength of credentials the browser attaches by itself (cached basic auth).
    static func isFormLike(_ headers: HTTPFields) -> Bool {
        guard let type = mediaType(headers) else { return true }
        return ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"].contains(type)
    }

    /// Throws 415 unless the request declares a JSON body.
    static func requireJSON(_ request: Request) throws {
        guard isJSON(request.headers) else {
            let given = mediaType(request.headers).map { "Content-Type \($0)" } ?? "no Content-Type"
            throw APIError.unsupportedMediaType("this route takes a JSON body with Content-Type: application/json (got \(given))")
        }
    }
}
