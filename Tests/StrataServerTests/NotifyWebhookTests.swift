import Glibc
import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import StrataServer

/// Webhook and Slack deliveries against a real HTTP receiver on loopback (Hummingbird on a live socket),
/// plus receivers that fail, stall or are not there.
@Suite struct NotifyWebhookTests {
    /// What the receiver got; header names lower-cased.
    struct Received: Sendable {
        var path: String
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Every request the receiver got, in order.
    final class ReceivedLog: Sendable {
        private let entries = Mutex<[Received]>([])
        var all: [Received] { entries.withLock { $0 } }
        func append(_ received: Received) { entries.withLock { $0.append(received) } }
    }

    /// Runs `body` with a live receiver that records every request and answers `POST /status/<code>` with
    /// that code (and a short text body).
    func withReceiver(_ body: @escaping @Sendable (_ port: Int, _ received: ReceivedLog) async throws -> Void) async throws {
        let received = ReceivedLog()
        let router = Router()
        router.post("/status/{code}") { request, context -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            received.append(Received(path: request.uri.path, headers: headers, body: Array(bytes.readableBytesView)))
            let code = Int(context.parameters.get("code") ?? "") ?? 500
            return Response(status: .init(code: code), body: .init(byteBuffer: ByteBuffer(string: "receiver says \(code)")))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(try #require(client.port), received)
        }
    }

    @Test func signedWebhookCarriesTheDocumentedBodyHeadersAndAValidSignature() async throws {
        try await withReceiver { port, received in
            let notification = sampleNotification(status: "resolved")
            let target = NotificationTarget.webhook(WebhookTarget(url: "http://127.0.0.1:\(port)/status/204", secret: "s3cret"))
            try await testDelivery().deliver(notification, to: target)

            let request = try #require(received.all.first)
            let header = { (name: String) in request.headers[name.lowercased()] }
            #expect(header("Content-Type") == "application/json")
            #expect(header("User-Agent") == "strata/dev")
            #expect(header("X-Strata-Delivery") == notification.id)
            let timestamp = try #require(header("X-Strata-Timestamp").flatMap { Int64($0) })
            #expect(abs(timestamp - Int64(Date().timeIntervalSince1970)) < 60)
            // Recompute the signature as a receiver would: HMAC-SHA256(secret, timestamp + "." + body).
            var mac = HMAC<SHA256>(key: SymmetricKey(data: Data("s3cret".utf8)))
            mac.update(data: Data("\(timestamp).".utf8) + Data(request.body))
            let expected = "sha256=" + mac.finalize().map { String(format: "%02x", $0) }.joined()
            #expect(header("X-Strata-Signature") == expected)

            let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(json["version"] as? String == "1")
            #expect(json["id"] as? String == notification.id)
            #expect(json["status"] as? String == "resolved")
            #expect(json["definitionName"] as? String == "High CPU")
            #expect(json["resourceKind"] as? String == "host")
            #expect(json["value"] as? Double == 97.5)
            #expect(json["startsAtMs"] as? Int64 == 1_764_669_600_000)
            #expect(json["startsAt"] as? String == "2025-12-02T10:00:00.000Z")
            #expect(json["endsAt"] as? String == "2025-12-02T10:10:00.000Z")
            #expect(json["transitionAt"] as? String == "2025-12-02T10:10:00.000Z")
            #expect(json["labels"] as? [String: String] == ["team": "ops", "service.tier": "front"])
        }
    }

    @Test func unsignedWebhookHasNoSignatureAndSlackGetsOneReadableLine() async throws {
        try await withReceiver { port, received in
            let delivery = testDelivery()
            try await delivery.deliver(sampleNotification(), to: .webhook(WebhookTarget(url: "http://127.0.0.1:\(port)/status/200")))
            try await delivery.deliver(sampleNotification(), to: .slack(SlackTarget(url: "http://127.0.0.1:\(port)/status/200")))
            let requests = received.all
            #expect(requests.count == 2)
            #expect(requests[0].headers["x-strata-signature"] == nil)
            let slack = try #require(try JSONSerialization.jsonObject(with: Data(requests[1].body)) as? [String: String])
            #expect(slack == ["text": "[FIRING] critical: High CPU on web-1 (host), value 97.5"])
        }
    }

    @Test func receiverAnswering500IsRetryableAnd400IsNot() async throws {
        try await withReceiver { port, _ in
            let delivery = testDelivery()
            for (code, retryable) in [(500, true), (503, true), (429, true), (408, true), (400, false), (404, false)] {
                let target = NotificationTarget.webhook(WebhookTarget(url: "http://127.0.0.1:\(port)/status/\(code)"))
                let error = await #expect(throws: DeliveryError.self) { try await delivery.deliver(sampleNotification(), to: target) }
                #expect(error?.retryable == retryable, "HTTP \(code)")
                #expect(error?.status == code)
                #expect(error?.message.contains("receiver says \(code)") == true)
                #expect(error?.message.contains("/status") == false, "the URL path stays out of messages")
            }
        }
    }

    @Test func receiverThatAcceptsAndNeverAnswersFailsAtTheTimeoutAsRetryable() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let target = NotificationTarget.webhook(WebhookTarget(url: "http://127.0.0.1:\(listener.port)/hook"))
        let error = await #expect(throws: DeliveryError.self) {
            try await testDelivery(timeout: .seconds(1)).deliver(sampleNotification(), to: target)
        }
        #expect(error?.retryable == true)
        #expect(error?.message.contains("timed out") == true)
    }

    @Test func refusedPortIsRetryable() async throws {
        // A socket bound but not listening: the port refuses connections and stays ours for the whole test (a port
        // freed and handed back could be taken by another test's server meanwhile).
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { _ = Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        let target = NotificationTarget.webhook(WebhookTarget(url: "http://127.0.0.1:\(port)/hook"))
        let error = await #expect(throws: DeliveryError.self) { try await testDelivery().deliver(sampleNotification(), to: target) }
        #expect(error?.retryable == true)
        // Refused at once on a quiet machine; when the whole test process is starved (seen once in the full suite: every
        // delivery of a minute stalled) the attempt ends at its timeout instead, retryable just the same.
        let message = error?.message ?? ""
        #expect(message.contains("connection refused") || message.contains("timed out"), "\(message)")
    }

    @Test(.enabled(if: notifyExecutable("/usr/bin/openssl") != nil, "openssl is not installed (scripts/install-deps.sh test installs it)"))
    func httpsReceiverWithAnUntrustedCertificateIsNotRetryable() async throws {
        let directory = try notifyTemporaryDirectory("webhook-tls")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try makeSelfSignedCertificate(in: directory)
        let port = try SilentListener.freePort()
        let server = try TestServerProcess(try #require(notifyExecutable("/usr/bin/openssl")),
                                           ["s_server", "-www", "-accept", "127.0.0.1:\(port)", "-cert", certificate, "-key", key],
                                           logPath: "\(directory)/s_server.log")
        defer { server.stop() }
        try await server.waitForPort(port)
        let target = NotificationTarget.webhook(WebhookTarget(url: "https://127.0.0.1:\(port)/hook"))
        let error = await #expect(throws: DeliveryError.self) { try await testDelivery().deliver(sampleNotification(), to: target) }
        #expect(error?.retryable == false, "\(String(describing: error))")
        #expect(error?.message.contains("TLS with 127.0.0.1:\(port) failed") == true, "\(String(describing: error))")
    }

    @Test func invalidURLIsNotRetryable() async throws {
        let error = await #expect(throws: DeliveryError.self) {
            try await testDelivery().deliver(sampleNotification(), to: .webhook(WebhookTarget(url: "ftp://example.com/x")))
        }
        #expect(error?.retryable == false)
    }
}
