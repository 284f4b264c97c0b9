import Foundation
import HummingbirdTesting
import Testing
@testable import StrataServer

/// Request bodies broken at the HTTP layer, as a hostile or buggy client sends them.
struct MalformedBodyTests {
    @Test func aRemoteWriteWithAnInvalidChunkSizeIsAnswered400NotAnInternalError() async throws {
        let harness = try ServerHarness()
        try await harness.test(.live) { client in
            let credentials = Data("admin:\(ServerHarness.password)".utf8).base64EncodedString()
            for path in ["/api/v1/write", "/prometheus/api/v1/write"] {
                let answer = try await RawHTTPExchange.exchange(port: client.port ?? 0, """
                    POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(credentials)\r\n\
                    Content-Encoding: snappy\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n\
                    zz\r\nabc\r\n0\r\n\r\n
                    """, quietSeconds: 30)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(path): \(answer.prefix(200))")
                #expect(answer.contains("bad_data"), "\(path): \(answer.prefix(400))")
            }
        }
    }

    @Test func aConnectionThatNeverSendsTheBodyItDeclaredIsClosedAfterTheIdleTimeout() async throws {
        let harness = try ServerHarness { $0.idleTimeoutMs = 1_000 }
        try await harness.test(.live) { client in
            let credentials = Data("admin:\(ServerHarness.password)".utf8).base64EncodedString()
            // The server closes the connection without an answer; a server that waits for ever leaves the
            // exchange to end on its own 20 s quiet limit instead, with `closedByServer` false.
            let started = ContinuousClock.now
            let (answer, closedByServer) = try await RawHTTPExchange.exchangeUntilClosed(port: client.port ?? 0, """
                POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(credentials)\r\n\
                Content-Encoding: snappy\r\nContent-Type: application/x-protobuf\r\nContent-Length: 100000\r\n\r\nabc
                """, quietSeconds: 20)
            #expect(closedByServer, "still open after \(ContinuousClock.now - started): \(answer.prefix(200))")
        }
    }

    @Test func aDeclaredLengthOverTheLimitIsAnswered413BeforeAnyBodyArrives() async throws {
        let harness = try ServerHarness { $0.maxRemoteWriteBytes = 1 << 20 }
        try await harness.test(.live) { client in
            let credentials = Data("admin:\(ServerHarness.password)".utf8).base64EncodedString()
            let snappy = "Content-Encoding: snappy\r\n"
            for (path, encoding) in [("/api/v1/write", snappy), ("/prometheus/api/v1/write", snappy), ("/v1/metrics", "")] {
                // Nothing of the body is sent: the answer must not wait for it.
                let answer = try await RawHTTPExchange.exchange(port: client.port ?? 0, """
                    POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(credentials)\r\n\
                    \(encoding)Content-Type: application/x-protobuf\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n
                    """, quietSeconds: 30)
                #expect(answer.hasPrefix("HTTP/1.1 413"), "\(path): \(answer.prefix(200))")
            }
        }
    }

    /// Strata's own agent and CLI ask for `Connection: close` and write a whole request before reading the answer;
    /// answered before its body was read, such a client stayed blocked in its write and never saw the 413.
    @Test func aClientThatWritesItsWholeOversizedBodyBeforeReadingGetsThe413() async throws {
        let harness = try ServerHarness { $0.maxRemoteWriteBytes = 1 << 20 }
        try await harness.test(.live) { client in
            let credentials = Data("admin:\(ServerHarness.password)".utf8).base64EncodedString()
            let body = String(repeating: "x", count: (1 << 20) + 1)
            let answer = try await RawHTTPExchange.exchange(port: client.port ?? 0, """
                POST /api/v1/write HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(credentials)\r\nConnection: close\r\n\
                Content-Encoding: snappy\r\nContent-Type: application/x-protobuf\r\nContent-Length: \((1 << 20) + 1)\r\n\r\n\(body)
                """, quietSeconds: 30)
            #expect(answer.hasPrefix("HTTP/1.1 413"), "\(answer.prefix(200))")
        }
    }
}
