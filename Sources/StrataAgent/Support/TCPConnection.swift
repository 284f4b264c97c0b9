#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One blocking TCP connection with a timeout on connect, each send and each receive: the transport of the
/// agent's HTTP client and of the conversational status protocols (Redis, MySQL, PostgreSQL).
/// The socket closes when the connection is released.
final class TCPConnection {
    /// The socket.
    let fd: Int32
    /// Timeout for each send and receive, in milliseconds.
    let timeoutMs: Int32
    private var buffered: [UInt8] = []

    /// Connects to `host`:`port`, trying each address the name resolves to.
    init(host: String, port: UInt16, timeoutMs: Int32) throws(HTTPClientError) {
        self.timeoutMs = timeoutMs
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .resolve(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(list) }
        var lastError = "no addresses"
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            cursor = entry.pointee.ai_next
            let fd = socket(entry.pointee.ai_family, entry.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), entry.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if Self.connect(fd, entry.pointee.ai_addr, entry.pointee.ai_addrlen, timeoutMs: timeoutMs, error: &lastError) {
                var timeout = timeval(tv_sec: Int(timeoutMs / 1000), tv_usec: Int(timeoutMs % 1000) * 1000)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                self.fd = fd
                return
            }
            close(fd)
        }
        throw .connect("\(host):\(port): \(lastError)")
    }

    deinit { close(fd) }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8]) throws(HTTPClientError) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .io("send: \(String(cString: strerror(errno)))")
            }
            sent += count
        }
    }

    /// One `recv` into `buffer`, retried on EINTR; 0 at the end of the stream.
    func receive(into buffer: inout [UInt8]) throws(HTTPClientError) -> Int {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { throw .io("no answer within \(timeoutMs) ms") }
            throw .io("recv: \(String(cString: strerror(errno)))")
        }
    }

    /// Exactly `count` bytes (for length-prefixed protocols); throws when the peer closes first.
    func read(exactly count: Int) throws(HTTPClientError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while buffered.count < count {
            let received = try receive(into: &chunk)
            if received == 0 { throw .io("the server closed the connection") }
            buffered.append(contentsOf: chunk[0..<received])
        }
        let result = Array(buffered[0..<count])
        buffered.removeFirst(count)
        return result
    }

    /// Reads until `complete` says the answer is whole or the peer closes; throws beyond `maxBytes`.
    func read(maxBytes: Int, until complete: ([UInt8]) -> Bool) throws(HTTPClientError) -> [UInt8] {
        var result = buffered
        buffered = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !complete(result) {
            let count = try receive(into: &chunk)
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
            if result.count > maxBytes { throw .malformedResponse("answer larger than \(maxBytes) bytes") }
        }
        return result
    }

    private static func connect(_ fd: Int32, _ address: UnsafeMutablePointer<sockaddr>?, _ length: socklen_t, timeoutMs: Int32,
                                error: inout String) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(fd, F_SETFL, flags) }
        if Glibc.connect(fd, address, length) == 0 { return true }
        guard errno == EINPROGRESS else { error = String(cString: strerror(errno)); return false }
        var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMs)
        guard ready > 0 else { error = ready == 0 ? "timed out after \(timeoutMs) ms" : String(cString: strerror(errno)); return false }
        var socketError: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &size)
        guard socketError == 0 else { error = String(cString: strerror(socketError)); return false }
        return true
    }
}
