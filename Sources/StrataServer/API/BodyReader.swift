import Hummingbird
import NIOCore

/// A body over a route's limit.
struct BodyTooLarge: Error {
    let limit: Int
}

/// Reads a request body up to a limit. A body whose declared `Content-Length` is over the limit is refused before any
/// of it is read when the client can see that answer early (`readsTheAnswerEarly`). Otherwise, over the limit the rest
/// is read and dropped before the 413 is answered: a client still sending a large body — Strata's own agent and CLI
/// write a whole request before reading — would stay blocked in its write for ever when it asked for
/// `Connection: close` (Hummingbird then neither reads the rest nor closes the connection before the client does).
/// Memory stays bounded by the limit; what is dropped costs only reading it, as a keep-alive request's unread body
/// already does.
enum BodyReader {
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit, readsTheAnswerEarly(request) {
            throw BodyTooLarge(limit: limit)
        }
        var buffer = ByteBuffer()
        var tooLarge = false
        for try await part in request.body {
            if tooLarge { continue }
            guard buffer.readableBytes + part.readableBytes <= limit else {
                tooLarge = true
                buffer = ByteBuffer()
                continue
            }
            var part = part
            buffer.writeBuffer(&part)
        }
        if tooLarge { throw BodyTooLarge(limit: limit) }
        return buffer
    }

    /// Whether a 413 answered before the body reaches the client: the connection is kept alive (Hummingbird drains
    /// the rest of the body after the answer; the idle timeout ends a client that then sends nothing), or the client
    /// waits for `100 Continue` before sending it.
    static func readsTheAnswerEarly(_ request: Request) -> Bool {
        if request.headers[.expect]?.lowercased() == "100-continue" { return true }
        return request.headers[.connection]?.lowercased().contains("close") != true
    }
}
