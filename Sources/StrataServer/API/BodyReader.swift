import Hummingbird
import NIOCore

/// A body over a route's limit.
struct BodyTooLarge: Error {
    let limit: Int
}

/// Reads a request body up to a limit. A body whose declared `Content-Length` is over the limit is refused at once,
/// before any of it is read (the client learns of the 413 without sending it, and the connection's idle timeout
/// ends a client that then sends nothing). Over the limit the rest is read and dropped before the 413 is answered: a
/// client still sending a large body would otherwise stay blocked in its write for ever when it asked for
/// `Connection: close` (Hummingbird then neither reads the rest nor closes the connection before the client does).
/// Memory stays bounded by the limit; what is dropped costs only reading it, as a keep-alive request's unread body
/// already does.
enum BodyReader {
    static func collect(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
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
}
