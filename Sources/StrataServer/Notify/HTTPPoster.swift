import NIOCore
import NIOHTTP1
import NIOSSL

/// A minimal HTTP/1.1 client for notifications: one POST per connection (`Connection: close`), the whole
/// exchange — connect, TLS, request, response — bounded by one deadline, and at most `responseLimit` bytes
/// of the response body kept (the rest is not read: only the status and a snippet for errors matter).
struct HTTPPoster: Sendable {
    /// The most response-body bytes read.
    static let responseLimit = 64 * 1024

    /// What a receiver answered.
    struct Reply: Sendable {
        var status: Int
        /// The first `responseLimit` bytes of the body.
        var body: [UInt8]
    }

    /// The whole exchange's time limit.
    var timeout: Duration
    /// The `User-Agent` header.
    var userAgent: String

    /// POSTs `body` to `endpoint` with `headers` (plus `Host`, `Content-Length`, `User-Agent`,
    /// `Connection: close`) and returns the final (non-1xx) status and the start of the body.
    func post(_ body: [UInt8], to endpoint: HTTPEndpoint, headers: [(String, String)]) async throws(DeliveryError) -> Reply {
        let deadline = NIODeadline.now() + timeout.timeAmount
        var step = "connecting"
        do {
            let tls = endpoint.tls ? try Self.sharedTLSContext() : nil
            let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart> = try await DeliveryConnection.open(
                host: endpoint.host, port: endpoint.port, deadline: deadline, tls: tls,
                configure: { try $0.addHTTPClientHandlers() })
            step = "sending the request"
            return try await channel.executeThenClose { inbound, outbound in
                var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.target)
                head.headers.add(name: "Host", value: endpoint.hostHeader)
                head.headers.add(name: "User-Agent", value: userAgent)
                head.headers.add(name: "Content-Length", value: String(body.count))
                head.headers.add(name: "Connection", value: "close")
                head.headers.add(contentsOf: headers)
                var responses = inbound.makeAsyncIterator()
                do {
                    try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(ByteBuffer(bytes: body))), .end(nil)])
                } catch {
                    throw await DeliveryConnection.reason(for: error, in: &responses)
                }
                step = "waiting for the response"
                var status: Int?
                var collected: [UInt8] = []
                while let part = try await responses.next() {
                    switch part {
                    case .head(let response) where response.status.code >= 200:
                        status = Int(response.status.code)
                    case .head:
                        continue   // 1xx: informational, the final head follows
                    case .body(let chunk):
                        collected += chunk.readableBytesView.prefix(Self.responseLimit - collected.count)
                        if let status, collected.count >= Self.responseLimit { return Reply(status: status, body: collected) }
                    case .end:
                        if let status { return Reply(status: status, body: collected) }
                    }
                }
                throw ChannelError.eof
            }
        } catch {
            throw .transport(error, authority: endpoint.authority, step: step, deadline: deadline, timeout: timeout)
        }
    }

    /// One TLS context with the system's trust roots for every https notification (loading the roots is
    /// the expensive part), made on first use.
    private static let sharedTLS = Result { () throws(DeliveryError) in try DeliveryConnection.tlsContext(caFile: nil) }

    private static func sharedTLSContext() throws(DeliveryError) -> NIOSSLContext { try sharedTLS.get() }
}
