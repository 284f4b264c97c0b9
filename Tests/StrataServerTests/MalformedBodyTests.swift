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
                let answer = try RawHTTPExchange.exchange(port: client.port ?? 0, """
                    POST \(path) HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic \(credentials)\r\n\
                    Content-Encoding: snappy\r\nContent-Type: application/x-protobuf\r\nTransfer-Encoding: chunked\r\n\r\n\
                    zz\r\nabc\r\n0\r\n\r\n
                    """)
                #expect(answer.hasPrefix("HTTP/1.1 400"), "\(path): \(answer.prefix(200))")
                #expect(answer.contains("bad_data"), "\(path): \(answer.prefix(400))")
            }
        }
    }
}
