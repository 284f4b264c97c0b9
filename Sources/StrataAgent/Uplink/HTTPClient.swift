#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A response from `HTTPClient`.
public struct HTTPResponse: Sendable {
    /// Status code, e.g. 200.
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    /// The body bytes.
    public var body: [UInt8]

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Why a request failed before an HTTP status arrived.
public enum HTTPClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The URL could not be understood.
    case invalidURL(String)
    /// The host name did not resolve.
    case resolve(host: String, reason: String)
    /// The TCP connection could not be made (refused, unreachable, timed out).
    case connect(String)
    /// Sending or receiving failed or timed out.
    case io(String)
    /// The server's answer was not valid HTTP/1.1.
    case malformedResponse(String)
    /// TLS could not be set up or the handshake failed.
    case tls(String)

    public var description: String {
        switch self {
        case .invalidURL(let url): return "invalid URL \(url): expected http[s]://HOST:PORT[/PATH]"
        case .tls(let reason): return "TLS: \(reason)"
        case let .resolve(host, reason): return "cannot resolve \(host): \(reason)"
        case .connect(let reason): return "cannot connect: \(reason)"
        case .io(let reason): return "connection failed: \(reason)"
        case .malformedResponse(let reason): return "malformed HTTP response: \(reason)"
        }
    }
}

/// A small blocking HTTP/1.1 client on POSIX sockets, without Foundation, for the agent's uplink and the
/// CLI. One connection per request (`Connection: close`); every step has a timeout. `https://` goes
/// through `TLSClient` (the system's OpenSSL).
public struct HTTPClient: Sendable {
    /// Scheme-less parts of the base URL.
    public let host: String
    /// TCP port.
    public let port: UInt16
    /// Path prefix without a trailing slash.
    public let basePath: String
    /// Timeout for connect, each send and each receive, in milliseconds.
    public var timeoutMs: Int32 = 10_000
    /// Largest response body accepted.
    public var maxResponseBytes = 64 << 20
    /// TLS for `https://` URLs; nil for plain HTTP.
    public let tls: TLSClient?

    /// Parses `http[s]://host[:port][/prefix]`. An `https` URL uses `tls`, or the system's trust store.
    public init(baseURL: String, tls: TLSClient? = nil) throws(HTTPClientError) {
        let secure = baseURL.hasPrefix("https://")
        guard secure || baseURL.hasPrefix("http://") else { throw .invalidURL(baseURL) }
        if secure {
            if let tls { self.tls = tls } else { self.tls = try TLSClient(caFile: nil) }
        } else {
            self.tls = nil
        }
        var rest = Substring(baseURL.dropFirst(secure ? 8 : 7))
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            path = String(rest[slash...])
            rest = rest[..<slash]
        }
        while path.hasSuffix("/") { path.removeLast() }
        var hostPart = String(rest)
        var port: UInt16 = secure ? 443 : 80
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else { throw .invalidURL(baseURL) }
            let after = hostPart[hostPart.index(after: close)...]
            if after.hasPrefix(":") {
                guard let parsed = UInt16(after.dropFirst()) else { throw .invalidURL(baseURL) }
                port = parsed
            }
            hostPart = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
        } else if let colon = hostPart.lastIndex(of: ":") {
            guard let parsed = UInt16(hostPart[hostPart.index(after: colon)...]) else { throw .invalidURL(baseURL) }
            port = parsed
            hostPart = String(hostPart[..<colon])
        }
        guard !hostPart.isEmpty else { throw .invalidURL(baseURL) }
        self.host = hostPart
        self.port = port
        self.basePath = path
    }

    /// Sends one request and reads the whole response.
    public func send(method: String, path: String, headers: [(String, String)] = [],
                     body: [UInt8] = []) throws(HTTPClientError) -> HTTPResponse {
        let connection = try TCPConnection(host: host, port: port, timeoutMs: timeoutMs)
        let session = try tls?.open(fd: connection.fd, host: host)
        defer { session?.close() }
        var head = "\(method) \(basePath)\(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\nUser-Agent: strata\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        if let session {
            try session.write(Array(head.utf8) + body)
            return try HTTPResponseParser(maxBodyBytes: maxResponseBytes).parse(try receiveAll { buffer throws(HTTPClientError) in
                try session.read(into: &buffer)
            })
        }
        try connection.send(Array(head.utf8) + body)
        return try HTTPResponseParser(maxBodyBytes: maxResponseBytes).parse(try receiveAll { buffer throws(HTTPClientError) in
            try connection.receive(into: &buffer)
        })
    }

    /// Sends raw `bytes` over plain TCP and reads until `complete` says the answer is whole or the peer
    /// closes (for line protocols such as Redis's); the same timeouts as `send`.
    func exchange(_ bytes: [UInt8], maxBytes: Int = 4 << 20, complete: ([UInt8]) -> Bool) throws(HTTPClientError) -> [UInt8] {
        let connection = try TCPConnection(host: host, port: port, timeoutMs: timeoutMs)
        try connection.send(bytes)
        return try connection.read(maxBytes: maxBytes, until: complete)
    }

    /// Reads through `read` until the response is complete or the stream ends.
    private func receiveAll(_ read: (inout [UInt8]) throws(HTTPClientError) -> Int) throws(HTTPClientError) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = try read(&buffer)
            if count == 0 { return result }
            result.append(contentsOf: buffer[0..<count])
            if result.count > maxResponseBytes + 64 * 1024 { throw .malformedResponse("response larger than \(maxResponseBytes) bytes") }
            if let complete = HTTPResponseParser.completeLength(result), result.count >= complete { return result }
        }
    }
}
