import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sends raw bytes to a live server on 127.0.0.1 and returns what it answers before closing or going quiet for
/// `quietSeconds` (malformed requests a client library would refuse to send). The blocking socket calls run on a
/// thread of their own, never on one of the few cooperative threads the live server's tasks need.
enum RawHTTPExchange {
    static func exchange(port: Int, _ request: String, quietSeconds: Int = 5) async throws -> String {
        try await exchangeUntilClosed(port: port, request, quietSeconds: quietSeconds).0
    }

    /// Sends `request` and reads until the server closes the connection (true) or stays quiet for `quietSeconds`
    /// (false), returning what arrived.
    static func exchangeUntilClosed(port: Int, _ request: String, quietSeconds: Int) async throws -> (String, closedByServer: Bool) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingExchange(port: port, request, quietSeconds: quietSeconds) })
            }.start()
        }
    }

    private static func blockingExchange(port: Int, _ request: String, quietSeconds: Int) throws -> (String, closedByServer: Bool) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var timeout = timeval(tv_sec: quietSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try connectLoopback(descriptor, port: port)
        let bytes = Array(request.utf8)
        guard send(descriptor, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else { throw StreamClientError("cannot send the request: errno \(errno)") }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 {
                answer.append(contentsOf: buffer[0..<count])
                // A whole answer (head and its Content-Length of body) ends the exchange: the server may keep the
                // connection open to read what is left of the request.
                if Self.isComplete(answer) { return (String(decoding: answer, as: UTF8.self), false) }
                continue
            }
            // 0: the peer closed; -1 with EAGAIN: the quiet limit passed with the connection still open.
            let closed = count == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
            return (String(decoding: answer, as: UTF8.self), closed)
        }
    }

    /// Whether `bytes` hold an HTTP response head and as much body as its `Content-Length` declares.
    static func isComplete(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let headEnd = text.range(of: "\r\n\r\n") else { return false }
        let head = text[..<headEnd.lowerBound].lowercased()
        guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
              let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) else { return false }
        return text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length
    }

    /// Connects `descriptor` to 127.0.0.1:`port`.
    static func connectLoopback(_ descriptor: Int32, port: Int) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw StreamClientError("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
    }
}
