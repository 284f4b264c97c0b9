import Foundation
import Testing
@testable import StrataServer

/// Email deliveries against a real SMTP server on loopback: aiosmtpd (Debian `python3-aiosmtpd`) run by a
/// small script this test writes, plain or with STARTTLS (a certificate made with the openssl CLI) and AUTH.
@Suite struct NotifySMTPTests {
    /// A Python with aiosmtpd, or nil (the tests are then skipped).
    static let python: String? = ["/usr/bin/python3", "/usr/local/bin/python3"].first { path in
        guard FileManager.default.isExecutableFile(atPath: path) else { return false }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: path)
        check.arguments = ["-c", "import aiosmtpd"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return false }
        check.waitUntilExit()
        return check.terminationStatus == 0
    }
    static let openssl = notifyExecutable("/usr/bin/openssl")

    /// The SMTP server: every accepted message becomes one JSON line in `--out` with its envelope, its
    /// content, and whether the session was under TLS and authenticated. `--reject ADDRESS` answers that
    /// recipient with 550; `--cert/--key` offer STARTTLS; `--user/--password` require AUTH (after TLS).
    static let serverScript = #"""
    import argparse, asyncio, json
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

    options = argparse.ArgumentParser()
    for name in ("--port", "--out", "--cert", "--key", "--user", "--password", "--reject"):
        options.add_argument(name)
    args = options.parse_args()

    class Handler:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if address == args.reject:
                return "550 5.1.1 <%s>: mailbox unavailable" % address
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            with open(args.out, "a") as out:
                out.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                                      "content": envelope.content.decode("utf-8", "replace"),
                                      "tls": session.ssl is not None, "authenticated": bool(session.authenticated)}) + "\n")
            return "250 2.0.0 accepted"

    def authenticator(server, session, envelope, mechanism, data):
        ok = isinstance(data, LoginPassword) and data.login.decode() == args.user and data.password.decode() == args.password
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    context = None
    if args.cert:
        import ssl
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)

    def factory():
        return SMTP(Handler(), hostname="strata-test", tls_context=context, require_starttls=context is not None,
                    auth_required=args.user is not None, authenticator=authenticator if args.user else None)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(factory, "127.0.0.1", int(args.port)))
    loop.run_forever()
    """#

    /// Runs `body` with an aiosmtpd server of its own; `body` gets the port and the path of the messages file.
    func withSMTPServer(_ arguments: [String] = [], directory: String,
                        _ body: (_ port: Int, _ messages: String) async throws -> Void) async throws {
        let python = try #require(Self.python)
        try Self.serverScript.write(toFile: "\(directory)/smtp_server.py", atomically: true, encoding: .utf8)
        let port = try SilentListener.freePort()
        let messages = "\(directory)/messages.jsonl"
        let server = try TestServerProcess(python, ["\(directory)/smtp_server.py", "--port", "\(port)", "--out", messages] + arguments,
                                           logPath: "\(directory)/smtp.log")
        defer { server.stop() }
        try await server.waitForPort(port)
        try await body(port, messages)
    }

    /// A delivery whose wait for each reply outlasts a stall of the Python server on a loaded machine: in a full
    /// `swift test` on two cores, with hundreds of tests running at once, one reply once took over 30 s (the
    /// default). These tests check what is sent and refused, not how fast; the timeout has its own test below.
    func smtpDelivery() -> NotificationDelivery { testDelivery(timeout: .seconds(120)) }

    /// The messages the server accepted.
    func received(_ path: String) throws -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
    }

    @Test(.enabled(if: NotifySMTPTests.python != nil, "python3-aiosmtpd is not installed (scripts/install-deps.sh test installs it)"))
    func plainSMTPDeliversOneMessageToEveryRecipient() async throws {
        let directory = try notifyTemporaryDirectory("smtp-plain")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSMTPServer(directory: directory) { port, messages in
            let target = EmailTarget(host: "127.0.0.1", port: port, tls: .plain, from: "strata@example.com",
                                     to: ["ops@example.com", "oncall@example.com"])
            var notification = sampleNotification()
            notification.annotations["description"] = "line one\n.line starting with a dot"
            try await smtpDelivery().deliver(notification, to: .email(target))

            let message = try #require(try received(messages).first)
            #expect(message["from"] as? String == "strata@example.com")
            #expect(message["to"] as? [String] == ["ops@example.com", "oncall@example.com"])
            let content = message["content"] as? String ?? ""
            #expect(content.contains("Subject: [FIRING] critical: High CPU on web-1 (host), value 97.5\r\n"))
            #expect(content.contains("Date: Tue, 02 Dec 2025 10:00:00 +0000\r\n"))
            #expect(content.contains("Message-ID: <\(notification.id)@example.com>\r\n"))
            #expect(content.contains("To: ops@example.com, oncall@example.com\r\n"))
            #expect(content.contains("Resource:    web-1 (host, res-web1)"))
            // Strata doubled the leading dot (dot-stuffing); the server took it off again.
            #expect(content.contains("\r\n.line starting with a dot\r\n"))
            #expect(!content.contains("..line"))
        }
    }

    @Test(.enabled(if: NotifySMTPTests.python != nil && NotifySMTPTests.openssl != nil,
                   "python3-aiosmtpd or openssl is not installed (scripts/install-deps.sh test installs them)"))
    func startTLSWithAuthDeliversOverTLSAndWrongPasswordOrUntrustedCertificateIsNotRetryable() async throws {
        let directory = try notifyTemporaryDirectory("smtp-tls")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (certificate, key) = try makeSelfSignedCertificate(in: directory)
        let arguments = ["--cert", certificate, "--key", key, "--user", "strata", "--password", "pa ss"]
        try await withSMTPServer(arguments, directory: directory) { port, messages in
            let delivery = smtpDelivery()
            let target = EmailTarget(host: "127.0.0.1", port: port, tls: .starttls, username: "strata", password: "pa ss",
                                     from: "strata@example.com", to: ["ops@example.com"], caFile: certificate)
            try await delivery.deliver(sampleNotification(), to: .email(target))
            let message = try #require(try received(messages).first)
            #expect(message["tls"] as? Bool == true)
            #expect(message["authenticated"] as? Bool == true)

            var wrongPassword = target
            wrongPassword.password = "nope"
            let refused = await #expect(throws: DeliveryError.self) { try await delivery.deliver(sampleNotification(), to: .email(wrongPassword)) }
            #expect(refused?.retryable == false)
            #expect(refused?.status == 535)
            #expect(refused?.message.contains("nope") == false)

            var untrusted = target
            untrusted.caFile = nil   // the system's CAs do not include the test's self-signed certificate
            let tlsError = await #expect(throws: DeliveryError.self) { try await delivery.deliver(sampleNotification(), to: .email(untrusted)) }
            #expect(tlsError?.retryable == false)
            #expect(tlsError?.message.contains("TLS") == true)
            let accepted = try received(messages)
            #expect(accepted.count == 1)
        }
    }

    @Test(.enabled(if: NotifySMTPTests.python != nil, "python3-aiosmtpd is not installed (scripts/install-deps.sh test installs it)"))
    func recipientRefusedWith550IsNotRetryableAndNothingIsSent() async throws {
        let directory = try notifyTemporaryDirectory("smtp-550")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await withSMTPServer(["--reject", "gone@example.com"], directory: directory) { port, messages in
            let target = EmailTarget(host: "127.0.0.1", port: port, tls: .plain, from: "strata@example.com",
                                     to: ["ops@example.com", "gone@example.com"])
            let error = await #expect(throws: DeliveryError.self) { try await smtpDelivery().deliver(sampleNotification(), to: .email(target)) }
            #expect(error?.retryable == false)
            #expect(error?.status == 550)
            #expect(error?.message.contains("RCPT TO:<gone@example.com>") == true)
            #expect(error?.message.contains("mailbox unavailable") == true)
            let accepted = try received(messages)
            #expect(accepted.isEmpty)

            // The same server without STARTTLS, asked for it: refused before anything is sent.
            var tls = target
            tls.tls = .starttls
            let noTLS = await #expect(throws: DeliveryError.self) { try await smtpDelivery().deliver(sampleNotification(), to: .email(tls)) }
            #expect(noTLS?.retryable == false)
            #expect(noTLS?.message.contains("does not offer STARTTLS") == true)
        }
    }

    @Test func serverThatNeverGreetsFailsAtTheTimeoutAsRetryable() async throws {
        let listener = try SilentListener()
        defer { listener.close() }
        let target = EmailTarget(host: "127.0.0.1", port: listener.port, tls: .plain, from: "strata@example.com", to: ["ops@example.com"])
        let error = await #expect(throws: DeliveryError.self) {
            try await testDelivery(timeout: .seconds(1)).deliver(sampleNotification(), to: .email(target))
        }
        #expect(error?.retryable == true)
        #expect(error?.message.contains("greeting") == true)
    }
}
