import Hummingbird

/// An API error that renders as `{"status":"error","errorType":…,"error":…}` with its own HTTP status.
///
/// `errorType` is one of a fixed set: `bad_data`, `unauthorized`, `forbidden`, `not_found`,
/// `conflict`, `too_large`, `too_many_requests`, `unsupported`, `unavailable`, `internal`.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    /// HTTP status.
    public var status: HTTPResponse.Status
    /// Machine-readable error class.
    public var errorType: String
    /// What went wrong and what to do about it.
    public var message: String
    /// Extra response headers (e.g. `WWW-Authenticate`).
    public var headers: HTTPFields = [:]

    public var description: String { "\(status.code) \(errorType): \(message)" }

    /// 400: the request was malformed.
    public static func badData(_ message: String) -> APIError { APIError(status: .badRequest, errorType: "bad_data", message: message) }
    /// 401: no or wrong credentials.
    public static func unauthorized(_ message: String) -> APIError {
        APIError(status: .unauthorized, errorType: "unauthorized", message: message,
                 headers: [.wwwAuthenticate: "Basic realm=\"strata\", charset=\"UTF-8\""])
    }
    /// 403: authenticated but not allowed.
    public static func forbidden(_ message: String) -> APIError { APIError(status: .forbidden, errorType: "forbidden", message: message) }
    /// 404: no such thing.
    public static func notFound(_ message: String) -> APIError { APIError(status: .notFound, errorType: "not_found", message: message) }
    /// 409: already done (e.g. a replayed batch).
    public static func conflict(_ message: String) -> APIError { APIError(status: .conflict, errorType: "conflict", message: message) }
    /// 413: body too large.
    public static func tooLarge(_ message: String) -> APIError { APIError(status: .contentTooLarge, errorType: "too_large", message: message) }
    /// 429: slow down; `Retry-After` says when to come back.
    public static func tooManyRequests(_ message: String, retryAfterSeconds: Int64) -> APIError {
        APIError(status: .tooManyRequests, errorType: "too_many_requests", message: message,
                 headers: [.retryAfter: String(retryAfterSeconds)])
    }
    /// 415: the body's `Content-Type` is not one the route takes.
    public static func unsupportedMediaType(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, errorType: "unsupported", message: message)
    }
    /// 503: try again later.
    public static func unavailable(_ message: String) -> APIError { APIError(status: .serviceUnavailable, errorType: "unavailable", message: message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        Envelope.error(status: status, errorType: errorType, message: message, headers: headers)
    }
}

/// Builds the one JSON envelope every API answer uses.
enum Envelope {
    /// `{"status":"success","data":…}` with status 200.
    static func success(_ data: JSON, status: HTTPResponse.Status = .ok) -> Response {
        let text = JSON.object([("status", "success"), ("data", data)]).text
        return Response(status: status, headers: [.contentType: "application/json"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"status":"success","data":…}` of a StrataAPI value.
    static func success(_ data: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        success(try JSONTreeEncoder.encode(data), status: status)
    }

    /// `{"status":"error","errorType":…,"error":…}`.
    static func error(status: HTTPResponse.Status, errorType: String, message: String, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let text = JSON.object([("status", "error"), ("errorType", .string(errorType)), ("error", .string(message))]).text
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
