import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A Server-Sent Events client on a real socket, for the live server of `ServerHarness.test(.live)`: it sends one
/// GET, then reads on a thread of its own, undoing chunked transfer encoding and splitting events as they arrive,
/// each with the time it was received. With `reads: false` it never reads at all (a stalled subscriber), with a
/// small receive buffer so the server's writes back up soon.
final class StreamClient: Sendable {
    /// One event as received.
    struct Event: Sendable {
        var id: String?
        var name: String?
        var data: String
        var receivedAt: ContinuousClock.Instant

        /// The data parsed as a JSON object.
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:] }
    }

    private struct State {
        var raw: [UInt8] = []
        var status: Int?
        var body: [UInt8] = []
        var events: [Event] = []
        /// How far `body` was searched for the end of an event.
        var scanned = 0
        var ended = false
    }

    private let descriptor: Int32
    private let reads: Bool
    private let state = Mutex(State())

    /// Connects to the harness's live server on `port` and asks for `path` with `headers`.
    init(port: Int, path: String, headers: [String: String], reads: Bool = true) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.reads = reads
        if !reads {
            var size: Int32 = 4096
            setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        do {
            try RawHTTPExchange.connectLoopback(descriptor, port: port)
        } catch {
            _ = Glibc.close(descriptor)
            throw error
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard send(descriptor, bytes, bytes.count, 0) == bytes.count else { throw StreamClientError("cannot send the request") }
        guard reads else { return }
        let thread = Thread { [self] in readUntilClosed() }
        thread.start()
    }

    /// Closes the connection.
    func close() {
        shutdown(descriptor, Int32(SHUT_RDWR))
        if !reads { _ = Glibc.close(descriptor) }
    }

    /// Events so far.
    var events: [Event] { state.withLock { $0.events } }
    /// The response status, once its head arrived.
    var status: Int? { state.withLock { $0.status } }
    /// Whether the server closed the connection or ended the response.
    var ended: Bool { state.withLock { $0.ended } }

    /// Waits (up to `timeout`) until `condition` holds for the events received; returns them.
    @discardableResult
    func wait(for timeout: Duration = .seconds(20), until condition: ([Event]) -> Bool) async throws -> [Event] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let events = self.events
            if condition(events) { return events }
            if ended { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        return events
    }

    /// Waits until the stream ends.
    func waitUntilEnded(_ timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !ended, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
    }

    /// For a client that stalled: reads what the server had sent and then until it closes the connection (true) or
    /// `timeout` passes without a byte (false). Blocks its thread: call it off the cooperative pool.
    func drainUntilClosed(timeout seconds: Int = 30) -> (bytes: Int, closed: Bool) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count == 0 { return (total, true) }
            if count < 0 { return (total, errno == ECONNRESET) }
            total += count
        }
    }

    private func readUntilClosed() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            let now = ContinuousClock.now
            let done = state.withLock { state in
                state.raw += buffer[0..<count]
                return Self.parse(&state, at: now)
            }
            if done { break }
        }
        state.withLock { $0.ended = true }
        _ = Glibc.close(descriptor)
    }

    /// Moves what `raw` holds into the head, the de-chunked body and its events; true once the last chunk came.
    private static func parse(_ state: inout State, at now: ContinuousClock.Instant) -> Bool {
        let crlf: [UInt8] = [13, 10]
        if state.status == nil {
            guard let end = find([13, 10, 13, 10], in: state.raw) else { return false }
            let head = String(decoding: state.raw[0..<end], as: UTF8.self)
            state.status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            state.raw.removeFirst(end + 4)
        }
        var last = false
        while let lineEnd = find(crlf, in: state.raw) {
            guard let size = Int(String(decoding: state.raw[0..<lineEnd], as: UTF8.self), radix: 16) else { return true }
            guard state.raw.count >= lineEnd + 2 + size + 2 else { break }
            state.body += state.raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
            state.raw.removeFirst(lineEnd + 2 + size + 2)
            if size == 0 { last = true }
        }
        while let end = find([10, 10], in: state.body, from: state.scanned) {
            let block = String(decoding: state.body[0..<end], as: UTF8.self)
            state.body.removeFirst(end + 2)
            state.scanned = 0
            var event = Event(data: "", receivedAt: now)
            var fields = 0
            for line in block.split(separator: "\n") where !line.hasPrefix(":") {
                let parts = line.split(separator: ":", maxSplits: 1)
                let value = parts.count > 1 ? String(parts[1].dropFirst(parts[1].hasPrefix(" ") ? 1 : 0)) : ""
                switch parts[0] {
                case "id": event.id = value
                case "event": event.name = value
                case "data": event.data += value
                default: continue
                }
                fields += 1
            }
            if fields > 0 { state.events.append(event) }
        }
        state.scanned = max(0, state.body.count - 1)
        return last
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int = 0) -> Int? {
        guard haystack.count >= needle.count, from <= haystack.count - needle.count else { return nil }
        return haystack.withUnsafeBufferPointer { bytes in
            for start in from...(bytes.count - needle.count) where bytes[start] == needle[0] {
                if needle.indices.allSatisfy({ bytes[start + $0] == needle[$0] }) { return start }
            }
            return nil
        }
    }
}

struct StreamClientError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
