import Foundation
import NIOCore
import NIOSSL

/// One SMTP session over an open connection (RFC 5321): greeting, EHLO, STARTTLS and EHLO again when the
/// target asks for TLS, AUTH PLAIN or LOGIN when it has a username, MAIL FROM, RCPT TO for each recipient,
/// DATA, QUIT.
///
/// Every reply code is checked against what the step expects: 4xx is a transient refusal (retryable), 5xx
/// a permanent one (not retryable); either way the error names the step and quotes the server. Recipients
/// are all-or-nothing: one refused recipient ends the session before DATA, so no one gets a message that a
/// retry would send again. `step` always says what is under way, for the timeout message.
struct SMTPConversation {
    private var replies: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let channel: any Channel
    private let target: EmailTarget
    private let tls: NIOSSLContext?
    private var parser = SMTPReplyParser()
    private var authority: String { "\(target.host):\(target.port)" }
    /// What the conversation is waiting for, e.g. `waiting for the reply to RCPT TO`.
    private(set) var step = "waiting for the greeting"

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
         channel: any Channel, target: EmailTarget, tls: NIOSSLContext?) {
        self.replies = inbound.makeAsyncIterator()
        self.outbound = outbound
        self.channel = channel
        self.target = target
        self.tls = tls
    }

    /// Sends `message` to every recipient of the target.
    mutating func run(_ message: EmailMessage) async throws {
        try check(try await reply(), accept: 220...220, refused: "the connection")
        var extensions = try await hello()
        if let tls {
            guard extensions["STARTTLS"] != nil else {
                throw DeliveryError(retryable: false, message: "SMTP server \(authority) does not offer STARTTLS; set tls: none only if the network to it is trusted")
            }
            _ = try await command("STARTTLS", accept: 220...220)
            guard !parser.hasBufferedBytes else {   // bytes sent before the handshake must not pass as encrypted
                throw DeliveryError(retryable: false, message: "SMTP server \(authority) sent data after its STARTTLS reply; refusing to continue")
            }
            try await DeliveryConnection.startTLS(on: channel, context: tls, host: target.host)
            extensions = try await hello()
        }
        if let username = target.username {
            try await authenticate(username: username, password: target.password ?? "", mechanisms: extensions["AUTH"] ?? [])
        }
        _ = try await command("MAIL FROM:<\(target.from)>", accept: 250...250)
        for recipient in target.to {
            _ = try await command("RCPT TO:<\(recipient)>", accept: 250...251)
        }
        _ = try await command("DATA", accept: 354...354)
        step = "waiting for the reply to the message"
        try await write(ByteBuffer(bytes: message.data + Array(".\r\n".utf8)))
        try check(try await reply(), accept: 250...250, refused: "the message")
        // Delivered. QUIT is a courtesy: a server that never answers it is cut off by the deadline.
        step = "waiting for the reply to QUIT"
        _ = try? await command("QUIT", accept: 221...221)
    }

    /// EHLO, falling back to HELO for a server that does not know EHLO; the extensions it advertises.
    private mutating func hello() async throws -> [String: [String]] {
        let name = Self.clientName()
        do {
            return try await command("EHLO \(name)", accept: 250...250).extensions
        } catch let error as DeliveryError where error.status == 500 || error.status == 502 {
            _ = try await command("HELO \(name)", accept: 250...250)
            return [:]
        }
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN; the credentials are only ever written to the connection.
    private mutating func authenticate(username: String, password: String, mechanisms: [String]) async throws {
        func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
        if mechanisms.contains("PLAIN") {
            _ = try await command("AUTH PLAIN " + base64("\0\(username)\0\(password)"), accept: 235...235, name: "AUTH PLAIN")
        } else if mechanisms.contains("LOGIN") {
            _ = try await command("AUTH LOGIN", accept: 334...334)
            _ = try await command(base64(username), accept: 334...334, name: "the AUTH LOGIN user name")
            _ = try await command(base64(password), accept: 235...235, name: "the AUTH LOGIN password")
        } else {
            let offered = mechanisms.isEmpty ? "none" : mechanisms.joined(separator: " ")
            throw DeliveryError(retryable: false, message: "SMTP server \(authority) offers no AUTH mechanism Strata supports (PLAIN, LOGIN) on this connection; it offers: \(offered)")
        }
    }

    /// Writes `line` and returns the server's reply if its code is in `accept`; `name` stands for the line
    /// in messages (never the line itself when it carries credentials).
    private mutating func command(_ line: String, accept: ClosedRange<Int>, name: String? = nil) async throws -> SMTPReply {
        let name = name ?? line
        step = "waiting for the reply to \(name)"
        try await write(ByteBuffer(string: line + "\r\n"))
        let reply = try await reply()
        try check(reply, accept: accept, refused: name)
        return reply
    }

    /// Writes `bytes`; when the connection has closed under the write, throws what closed it.
    private mutating func write(_ bytes: ByteBuffer) async throws {
        do {
            try await outbound.write(bytes)
        } catch {
            throw await DeliveryConnection.reason(for: error, in: &replies)
        }
    }

    /// The next whole reply.
    private mutating func reply() async throws -> SMTPReply {
        while true {
            do {
                if let reply = try parser.next() { return reply }
            } catch {
                throw DeliveryError(retryable: false, message: "\(authority) did not answer like an SMTP server (\(step)): \(error.line)")
            }
            guard let bytes = try await replies.next() else { throw ChannelError.eof }
            parser.append(bytes.readableBytesView)
        }
    }

    private func check(_ reply: SMTPReply, accept: ClosedRange<Int>, refused what: String) throws(DeliveryError) {
        guard !accept.contains(reply.code) else { return }
        let transient = (400..<500).contains(reply.code)
        throw DeliveryError(
            retryable: transient,
            message: "SMTP server \(authority) \(transient ? "temporarily refused" : "refused") \(what): \(reply.code) \(reply.text)",
            status: reply.code)
    }

    /// This host's name for EHLO, reduced to the characters a domain may hold.
    private static func clientName() -> String {
        let name = ProcessInfo.processInfo.hostName.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
        return name.isEmpty ? "localhost" : name
    }
}
